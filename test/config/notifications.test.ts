import { ConfigError } from '../../config/config-reader';
import { parseConfig } from '../../config/config';
import { unnotified } from '../../config/notifications';
import { warnAboutUnnotified } from '../../pipeline/notification-warning';
import { fixtureConfig } from './fixture-config';

/** What `work` writes to stderr. */
function stderrOf(work: () => void): string {
  const written: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    work();
  } finally {
    spy.mockRestore();
  }
  return written.join('');
}

/** The fixture without any address. */
function withoutAddresses(): any {
  const raw = fixtureConfig();
  delete raw.notificationEmail;
  return raw;
}

test('a configuration with no address names who will not be told, and the setting that fixes it', () => {
  expect(unnotified(parseConfig(withoutAddresses()))).toEqual([
    'approval requests and pipeline failures (set clairPipeline.notificationEmail)',
    'the alarms of dev, prod (set clairPipeline.notificationEmail, or clairPipeline.environments.<name>.monitoring.alarmEmail)',
  ]);
});

test("an environment's own alarm address leaves only the others' alarms unnotified", () => {
  const raw = withoutAddresses();
  raw.environments.prod.monitoring = { alarmEmail: 'prod-oncall@example.com' };
  expect(unnotified(parseConfig(raw))).toEqual([
    'approval requests and pipeline failures (set clairPipeline.notificationEmail)',
    'the alarms of dev (set clairPipeline.notificationEmail, or clairPipeline.environments.<name>.monitoring.alarmEmail)',
  ]);
});

test('notificationEmail reaches approvals, failures and every alarm', () => {
  expect(unnotified(parseConfig(fixtureConfig()))).toEqual([]);
});

test('notificationOptOut says nobody is subscribed on purpose', () => {
  const raw = withoutAddresses();
  raw.notificationOptOut = true;
  const config = parseConfig(raw);
  expect(config.notificationOptOut).toBe(true);
  expect(unnotified(config)).toEqual([]);
  expect(stderrOf(() => warnAboutUnnotified(config))).toBe('');
});

test('rejects notificationOptOut together with notificationEmail', () => {
  const raw = fixtureConfig();
  raw.notificationOptOut = true;
  expect(() => parseConfig(raw)).toThrow(
    new ConfigError([
      "clairPipeline.notificationOptOut and notificationEmail exclude each other: one subscribes an address, the other says none is subscribed on purpose, got notificationOptOut=true and notificationEmail='platform-team@example.com'; remove one of them",
    ]),
  );
});

test('rejects a notificationOptOut that is not a boolean', () => {
  const raw = withoutAddresses();
  raw.notificationOptOut = 'yes';
  expect(() => parseConfig(raw)).toThrow(
    "clairPipeline.notificationOptOut must be true or false, got 'yes'; set it in cdk.json (context clairPipeline.notificationOptOut) or override it with -c clairPipeline.notificationOptOut=<value> (for example false)",
  );
});

test('the warning names who will not be told, between two rows of !', () => {
  const banner = `\n${'!'.repeat(100)}\n`;
  expect(stderrOf(() => warnAboutUnnotified(parseConfig(withoutAddresses())))).toBe(
    banner +
      [
        'NOBODY IS NOTIFIED: no e-mail address receives',
        '    approval requests and pipeline failures (set clairPipeline.notificationEmail)',
        '    the alarms of dev, prod (set clairPipeline.notificationEmail, or clairPipeline.environments.<name>.monitoring.alarmEmail)',
        '  Their SNS topics have no subscriber: an approval waits unseen and an alarm fires unheard. Set an address in',
        "  cdk.json, or set clairPipeline.notificationOptOut to true if you subscribe the topics yourself; see docs/configuration.md, 'Notifications'.",
      ].join('\n') +
      banner +
      '\n',
  );
});

test('a configuration with an address for everything synthesizes without the warning', () => {
  expect(stderrOf(() => warnAboutUnnotified(parseConfig(fixtureConfig())))).toBe('');
});
