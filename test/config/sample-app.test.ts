import { App } from 'aws-cdk-lib';
import { ConfigError } from '../../config/config-reader';
import { EnvironmentConfig, loadConfig, parseConfig } from '../../config/config';
import { fixtureConfig } from './fixture-config';

/** The fixture's prod environment with `sampleApp` set to `value` (left out when undefined). */
function prodWith(value: unknown): EnvironmentConfig {
  const raw = fixtureConfig();
  if (value !== undefined) raw.environments.prod.sampleApp = value;
  return parseConfig(raw).environments[1];
}

/** The fixture's prod environment with `-c` overrides, as the CLI passes them. */
function prodOverridden(overrides: Record<string, string>): EnvironmentConfig {
  return loadConfig(new App({ context: { clairPipeline: fixtureConfig(), ...overrides } }).node).environments[1];
}

test('is on by default, with the profile egress', () => {
  expect(prodWith(undefined).sampleApp).toEqual({ enabled: true, egress: 'nat' });
});

test.each([
  ['false', false],
  ['{ enabled: false }', { enabled: false }],
])('is off with sampleApp: %s', (_name, value) => {
  expect(prodWith(value).sampleApp).toEqual({ enabled: false, egress: 'nat' });
});

test('true is short for the defaults, and an egress may go with enabled', () => {
  expect(prodWith(true).sampleApp).toEqual({ enabled: true, egress: 'nat' });
  expect(prodWith({ enabled: true, egress: 'public-ip' }).sampleApp).toEqual({ enabled: true, egress: 'public-ip' });
});

test.each(['clairPipeline.environments.prod.sampleApp', 'clairPipeline.environments.prod.sampleApp.enabled'])(
  'is switched off with -c %s=false',
  (key) => {
    expect(prodOverridden({ [key]: 'false' }).sampleApp.enabled).toBe(false);
  },
);

test.each([
  [
    'a word instead of a switch',
    'no',
    "clairPipeline.environments.prod.sampleApp must be true, false or an object, got 'no'; set it in cdk.json (context clairPipeline.environments.prod.sampleApp) or override it with -c clairPipeline.environments.prod.sampleApp=<value> (for example false)",
  ],
  [
    'a word for enabled',
    { enabled: 'off' },
    "clairPipeline.environments.prod.sampleApp.enabled must be true or false, got 'off'; set it in cdk.json (context clairPipeline.environments.prod.sampleApp.enabled) or override it with -c clairPipeline.environments.prod.sampleApp.enabled=<value> (for example true)",
  ],
])('rejects %s', (_name, value, message) => {
  expect(() => prodWith(value)).toThrow(new ConfigError([message]));
});
