import { parseConfig } from '../../config/config';
import { warnAboutPlaceholders } from '../../pipeline/placeholder-warning';
import { defaultRawConfig } from '../helpers/default-config';

/** What warnAboutPlaceholders writes to stderr for a configuration. */
function stderrFor(raw: unknown): string {
  const written: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    warnAboutPlaceholders(parseConfig(raw));
  } finally {
    spy.mockRestore();
  }
  return written.join('');
}

test('synth with the default config says loudly which settings are placeholders', () => {
  const output = stderrFor(defaultRawConfig());
  expect(output).toMatch(
    /^\n!{100}\nPLACEHOLDER CONFIGURATION: this synth uses example values that cannot be deployed:/,
  );
  for (const setting of [
    'pipeline.account=111111111111',
    'environments.dev.account=222222222222',
    'environments.prod.account=333333333333',
    'source.connectionArn=',
  ]) {
    expect(output).toContain(`clairPipeline.${setting}`);
  }
  expect(output).toContain('see README');
});

test('a real configuration synthesizes quietly', () => {
  const raw = defaultRawConfig();
  raw.pipeline.account = '123456789012';
  raw.environments.dev.account = '210987654321';
  raw.environments.prod.account = '345678901234';
  raw.source.connectionArn =
    'arn:aws:codeconnections:eu-west-1:123456789012:connection/0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b';
  expect(stderrFor(raw)).toBe('');
});
