import { GATE_VARIABLES } from '@clair-pipeline/scan';
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../../config/config-reader';
import { loadConfig, parseConfig } from '../../config/config';
import { goDurationSeconds, rateExpressionMinutes } from '../../config/durations';
import { PROFILES } from '../../config/profiles';
import { defaultRawConfig } from '../helpers/default-config';
import { platformEnvironment } from '../../stages/clair/scan-policy';

/** The default config, with an empty section for each environment's settings, to set keys in. */
function rawWithSections(): any {
  const raw = defaultRawConfig();
  for (const env of Object.values<any>(raw.environments)) {
    for (const section of ['network', 'database', 'clair', 'scan']) env[section] ??= {};
  }
  return raw;
}

/** Applies `mutate` to the default config and returns the validation error's message. */
function errorFor(mutate: (raw: any) => void): string {
  const raw = rawWithSections();
  mutate(raw);
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('the default configuration', () => {
  const config = parseConfig(defaultRawConfig());

  test('is valid and lists dev before prod', () => {
    expect(config.environments.map((env) => env.name)).toEqual(['dev', 'prod']);
  });

  test('reports every placeholder account and the placeholder connection', () => {
    expect(config.placeholders).toEqual([
      'clairPipeline.pipeline.account=111111111111',
      'clairPipeline.environments.dev.account=222222222222',
      'clairPipeline.environments.prod.account=333333333333',
      expect.stringMatching(/^clairPipeline\.source\.connectionArn=arn:aws:codeconnections:/),
    ]);
  });

  test('runs dev on the lean profile and prod on the production profile, offline', () => {
    const [dev, prod] = config.environments;
    expect([dev.profile, prod.profile]).toEqual(['lean', 'production']);
    expect(prod.database).toMatchObject({ multiAz: true, deletionProtection: true, snapshotOnRemoval: true });
    expect(dev.database).toMatchObject({ multiAz: false, deletionProtection: false, snapshotOnRemoval: false });
    for (const env of config.environments) expect(env.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b']);
  });
});

describe('environments', () => {
  test('are promoted in the order cdk.json writes them, whatever their names', () => {
    const raw = defaultRawConfig();
    raw.environments = {
      test: { account: '444444444444', region: 'eu-west-1', profile: 'lean' },
      'eu-staging': { account: '555555555555', region: 'eu-central-1' },
      prod: raw.environments.prod,
    };
    const environments = parseConfig(raw).environments;
    expect(environments.map((env) => env.name)).toEqual(['test', 'eu-staging', 'prod']);
    expect(environments.map((env) => env.requiresApproval)).toEqual([false, true, true]);
  });

  test('may be just one, which needs no approval', () => {
    const raw = defaultRawConfig();
    raw.environments = { prod: raw.environments.prod };
    expect(parseConfig(raw).environments).toEqual([
      expect.objectContaining({ name: 'prod', profile: 'production', requiresApproval: false }),
    ]);
  });

  test('of one profile may share an account, in different regions', () => {
    const raw = defaultRawConfig();
    raw.environments.test = { account: '222222222222', region: 'eu-central-1', profile: 'lean' };
    expect(parseConfig(raw).environments.map((env) => env.account)).toEqual([
      '222222222222',
      '333333333333',
      '222222222222',
    ]);
  });

  test('look their availability zones up when they name none', () => {
    const raw = defaultRawConfig();
    delete raw.environments.dev.availabilityZones;
    expect(parseConfig(raw).environments[0].availabilityZones).toBeUndefined();
  });
});

describe.each(Object.entries(PROFILES))('the %s profile', (profile, defaults) => {
  const raw = defaultRawConfig();
  raw.environments.prod = { account: '444444444444', region: 'eu-central-1', profile };
  const env = parseConfig(raw).environments[1];

  test('gives an environment with only account, region and profile its defaults', () => {
    expect(env.network).toEqual({ vpcId: undefined, ...defaults.network });
    expect(env.database).toMatchObject(defaults.database);
    expect(env.clair).toMatchObject(defaults.clair);
    expect(env.sampleApp).toEqual({ enabled: true, ...defaults.sampleApp });
    expect(env.scan).toMatchObject({
      severity: 'High',
      maxVulnerabilities: 0,
      countUnknown: true,
      ignoreUnfixed: false,
      requireCoverage: true,
      platforms: [],
    });
  });

  test('yields to a setting the environment spells out', () => {
    const spelled = defaultRawConfig();
    spelled.environments.prod = { account: '444444444444', region: 'eu-central-1', profile, clair: { maxTasks: 5 } };
    expect(parseConfig(spelled).environments[1].clair.maxTasks).toBe(5);
  });
});

test('an environment without a profile is a production one', () => {
  const raw = defaultRawConfig();
  delete raw.environments.dev.profile;
  const dev = parseConfig(raw).environments[0];
  expect(dev.profile).toBe('production');
  expect(dev.database.multiAz).toBe(true);
});

describe('monitoring settings', () => {
  test('default to a daily freshness check, 100 connections and the notification address', () => {
    const raw = defaultRawConfig();
    raw.notificationEmail = 'platform-team@example.com';
    raw.environments.prod.monitoring = { alarmEmail: 'clair-oncall@example.com' };
    const [dev, prod] = parseConfig(raw).environments;
    expect(dev.monitoring).toEqual({
      alarmEmail: 'platform-team@example.com',
      freshnessSchedule: 'rate(1 day)',
      maxDatabaseConnections: 100,
    });
    expect(prod.monitoring.alarmEmail).toBe('clair-oncall@example.com');
  });

  test('leave alarms without a recipient when no address is configured anywhere', () => {
    expect(parseConfig(defaultRawConfig()).environments[0].monitoring.alarmEmail).toBeUndefined();
  });

  test('accept any log level once the updater is off', () => {
    const raw = rawWithSections();
    Object.assign(raw.environments.dev.clair, { updaterInterval: '0', logLevel: 'error' });
    expect(parseConfig(raw).environments[0].clair).toMatchObject({ updaterInterval: '0', logLevel: 'error' });
  });

  test.each([
    ['2h', 7200],
    ['1h30m', 5400],
    ['90m', 5400],
    ['45s', 45],
    ['0', 0],
  ])('read the Go duration %s as %i seconds', (duration, seconds) => {
    expect(goDurationSeconds(duration)).toBe(seconds);
  });

  test.each([
    ['rate(1 hour)', 60],
    ['rate(1 day)', 1440],
    ['rate(6 days)', 8640],
    ['rate(90 minutes)', 90],
    ['rate(1 days)', undefined],
    ['rate(2 hour)', undefined],
    ['rate(0 days)', undefined],
    ['cron(0 6 * * ? *)', undefined],
  ])('read the rate expression %s as %p minutes', (expression, minutes) => {
    expect(rateExpressionMinutes(expression)).toBe(minutes);
  });
});

describe('scan.pullAccounts', () => {
  test.each([
    ['default to the invoker accounts', { invokerAccounts: ['444444444444'] }, ['444444444444']],
    [
      'may name other accounts',
      { invokerAccounts: ['444444444444'], pullAccounts: ['555555555555'] },
      ['555555555555'],
    ],
    ['may be empty while invoker accounts are not', { invokerAccounts: ['444444444444'], pullAccounts: [] }, []],
  ])('%s', (_what, scan, expected) => {
    const raw: any = defaultRawConfig();
    raw.environments.prod.scan = scan;
    expect(parseConfig(raw).environments[1].scan.pullAccounts).toEqual(expected);
  });
});

describe('invalid values fail with the key, the value and the fix', () => {
  test.each([
    [
      'an account that is not 12 digits',
      (raw: any) => (raw.environments.prod.account = '12345'),
      /clairPipeline\.environments\.prod\.account must be a 12-digit AWS account id, got '12345'; set it in cdk\.json/,
    ],
    [
      'a numeric account',
      (raw: any) => (raw.pipeline.account = 123456789012),
      /clairPipeline\.pipeline\.account must be a 12-digit AWS account id, got 123456789012/,
    ],
    [
      'an unknown region format',
      (raw: any) => (raw.environments.dev.region = 'europe-west'),
      /clairPipeline\.environments\.dev\.region must be an AWS region name like 'eu-west-1', got 'europe-west'; set it in cdk\.json \(context clairPipeline\.environments\.dev\.region\) or override it with -c clairPipeline\.environments\.dev\.region=<value>/,
    ],
    [
      'a malformed connection ARN',
      (raw: any) => (raw.source.connectionArn = 'arn:aws:codestar:eu-west-1:1:conn'),
      /clairPipeline\.source\.connectionArn must be a CodeConnections connection ARN, got 'arn:aws:codestar:eu-west-1:1:conn'/,
    ],
    [
      'a repository without owner',
      (raw: any) => (raw.source.repository = 'clair-pipeline'),
      /clairPipeline\.source\.repository must be a repository as 'owner\/name'/,
    ],
    [
      'a missing branch',
      (raw: any) => delete raw.source.branch,
      /clairPipeline\.source\.branch is required: a git branch name; set it in cdk\.json/,
    ],
    [
      'an invalid branch',
      (raw: any) => (raw.source.branch = 'feature..x'),
      /clairPipeline\.source\.branch must be a git branch name, got 'feature\.\.x'/,
    ],
    [
      'two environments in one account and region',
      (raw: any) => Object.assign(raw.environments.prod, { account: '222222222222', profile: 'lean' }),
      /clairPipeline\.environments\.prod\.account must differ from environments\.dev\.account in region eu-west-1, got '222222222222' for both; .* -c clairPipeline\.environments\.prod\.account=<value>/,
    ],
    [
      'a production environment in the account of a lean one',
      (raw: any) => Object.assign(raw.environments.prod, { account: '222222222222', region: 'eu-central-1' }),
      /clairPipeline\.environments\.prod\.account must differ from environments\.dev\.account, got '222222222222' for both: a production-profile environment shares its account with no environment of another profile \(dev is lean, prod is production\)/,
    ],
    [
      'no environment at all',
      (raw: any) => (raw.environments = {}),
      /clairPipeline\.environments must name at least one environment, got none; .* -c clairPipeline\.environments\.<name>\.account=<value>/,
    ],
    [
      'an environment name with a trailing hyphen',
      (raw: any) => (raw.environments['prod-'] = raw.environments.prod),
      /clairPipeline\.environments\.prod- is not a valid environment name: .* got 'prod-'; rename the key in cdk\.json/,
    ],
    [
      'an environment name with a double hyphen',
      (raw: any) => (raw.environments['pre--prod'] = { account: '444444444444', region: 'eu-west-2' }),
      /clairPipeline\.environments\.pre--prod is not a valid environment name/,
    ],
    [
      'an environment name longer than 16 characters',
      (raw: any) => (raw.environments['a-very-long-stage'] = { account: '444444444444', region: 'eu-west-2' }),
      /clairPipeline\.environments\.a-very-long-stage is not a valid environment name/,
    ],
    [
      'an upper-case environment name',
      (raw: any) => (raw.environments.Staging = { account: '444444444444', region: 'eu-west-2' }),
      /clairPipeline\.environments\.Staging is not a valid environment name/,
    ],
    [
      'an unknown profile',
      (raw: any) => (raw.environments.dev.profile = 'cheap'),
      /clairPipeline\.environments\.dev\.profile must be one of lean, production, got 'cheap'/,
    ],
    [
      'a region aws-cdk-lib does not know',
      (raw: any) =>
        Object.assign(raw.environments.dev, { region: 'eu-west-9', availabilityZones: ['eu-west-9a', 'eu-west-9b'] }),
      /clairPipeline\.environments\.dev\.region must be an AWS region known in the pipeline's partition 'aws', got 'eu-west-9'; .* -c clairPipeline\.environments\.dev\.region=<value> \(one of af-south-1, .*eu-central-1.*\)/,
    ],
    [
      "a region outside the pipeline region's partition",
      (raw: any) =>
        Object.assign(raw.environments.dev, {
          region: 'cn-north-1',
          availabilityZones: ['cn-north-1a', 'cn-north-1b'],
        }),
      /clairPipeline\.environments\.dev\.region must be an AWS region known in the pipeline's partition 'aws', got 'cn-north-1'/,
    ],
    [
      'a pipeline region aws-cdk-lib does not know',
      (raw: any) => (raw.pipeline.region = 'eu-west-9'),
      /clairPipeline\.pipeline\.region must be an AWS region known to aws-cdk-lib, got 'eu-west-9'/,
    ],
    [
      "an availability zone outside the environment's region",
      (raw: any) => (raw.environments.prod.availabilityZones = ['eu-west-1a', 'eu-central-1b']),
      /clairPipeline\.environments\.prod\.availabilityZones must all be zones of the environment's region 'eu-west-1' \(the region plus one letter\), got 'eu-central-1b'; .* as a JSON list, for example \["eu-west-1a","eu-west-1b"\], or override it with -c 'clairPipeline\.environments\.prod\.availabilityZones=\["eu-west-1a","eu-west-1b"\]'/,
    ],
    [
      'a single availability zone',
      (raw: any) => (raw.environments.prod.availabilityZones = ['eu-west-1a']),
      /clairPipeline\.environments\.prod\.availabilityZones must be 2 or 3 distinct zones, got \["eu-west-1a"\]/,
    ],
    [
      'a repeated availability zone',
      (raw: any) => (raw.environments.prod.availabilityZones = ['eu-west-1a', 'eu-west-1a']),
      /clairPipeline\.environments\.prod\.availabilityZones must be 2 or 3 distinct zones/,
    ],
    [
      'a sample-app egress that does not exist',
      (raw: any) => (raw.environments.prod.sampleApp = { egress: 'vpn' }),
      /clairPipeline\.environments\.prod\.sampleApp\.egress must be one of nat, public-ip, got 'vpn'/,
    ],
    [
      'an unknown top-level key',
      (raw: any) => (raw.notificationEmial = 'x@example.com'),
      /clairPipeline\.notificationEmial is not a known setting .*; remove it or fix its spelling/,
    ],
    [
      'an unknown nested key',
      (raw: any) => (raw.environments.dev.database.multiAZ = true),
      /clairPipeline\.environments\.dev\.database\.multiAZ is not a known setting \(known here: .*multiAz.*\)/,
    ],
    [
      'an environment without an account',
      (raw: any) => delete raw.environments.prod.account,
      /clairPipeline\.environments\.prod\.account is required/,
    ],
    [
      'a bad e-mail address',
      (raw: any) => (raw.notificationEmail = 'ops-at-example'),
      /clairPipeline\.notificationEmail must be an e-mail address, got 'ops-at-example'/,
    ],
    [
      'a severity klar does not know',
      (raw: any) => (raw.environments.prod.scan.severity = 'Severe'),
      /clairPipeline\.environments\.prod\.scan\.severity must be one of Unknown, Negligible, Low, Medium, High, Critical, Defcon1, got 'Severe'/,
    ],
    [
      'a negative vulnerability limit',
      (raw: any) => (raw.environments.dev.scan.maxVulnerabilities = -1),
      /clairPipeline\.environments\.dev\.scan\.maxVulnerabilities must be an integer from 0 to 100000, got -1/,
    ],
    [
      'memory Fargate does not offer for the CPU',
      (raw: any) => (raw.environments.prod.clair.memoryMiB = 1024),
      /clairPipeline\.environments\.prod\.clair\.memoryMiB must be 2048 to 8192 in steps of 1024 for cpu 1024/,
    ],
    [
      'more minimum than maximum tasks',
      (raw: any) => Object.assign(raw.environments.dev.clair, { minTasks: 3, maxTasks: 2 }),
      /clairPipeline\.environments\.dev\.clair\.minTasks must not exceed maxTasks \(2\), got 3/,
    ],
    [
      'an updater interval Clair cannot parse',
      (raw: any) => (raw.environments.dev.clair.updaterInterval = '2 hours'),
      /clairPipeline\.environments\.dev\.clair\.updaterInterval must be a Go duration/,
    ],
    [
      'a retention CloudWatch does not offer',
      (raw: any) => (raw.environments.dev.clair.logRetentionDays = 10),
      /clairPipeline\.environments\.dev\.clair\.logRetentionDays must be a CloudWatch retention period/,
    ],
    [
      'a consumer CIDR of the whole internet',
      (raw: any) => (raw.environments.dev.clair.consumerCidrs = ['0.0.0.0/0']),
      /clairPipeline\.environments\.dev\.clair\.consumerCidrs\[0\] must be an IPv4 CIDR block no wider than \/8 \(never 0\.0\.0\.0\/0\), got '0\.0\.0\.0\/0'/,
    ],
    [
      'a certificate without a host name',
      (raw: any) =>
        (raw.environments.prod.clair.certificateArn =
          'arn:aws:acm:eu-west-1:333333333333:certificate/0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b'),
      /clairPipeline\.environments\.prod\.clair\.apiHostName and certificateArn go together/,
    ],
    [
      'a storage ceiling below the initial storage',
      (raw: any) =>
        Object.assign(raw.environments.dev.database, { allocatedStorageGiB: 50, maxAllocatedStorageGiB: 40 }),
      /clairPipeline\.environments\.dev\.database\.maxAllocatedStorageGiB must be at least allocatedStorageGiB \(50\), got 40/,
    ],
    [
      'an allowlist file that does not exist',
      (raw: any) => (raw.environments.prod.scan.allowlistFile = 'config/none.yml'),
      /clairPipeline\.environments\.prod\.scan\.allowlistFile names a file that does not exist relative to the project root, got 'config\/none\.yml'/,
    ],
    [
      'an invoker account that is not an account id',
      (raw: any) => (raw.environments.prod.scan.invokerAccounts = ['team-a']),
      /clairPipeline\.environments\.prod\.scan\.invokerAccounts\[0\] must be a 12-digit AWS account id, got 'team-a'/,
    ],
    [
      'a pull repository that is not an ECR name',
      (raw: any) => (raw.environments.prod.scan.pullRepositories = ['Team A/Web']),
      /clairPipeline\.environments\.prod\.scan\.pullRepositories\[0\] must be an ECR repository name, got 'Team A\/Web'/,
    ],
    [
      'a pull account that is not an account id',
      (raw: any) => (raw.environments.prod.scan.pullAccounts = ['444']),
      /clairPipeline\.environments\.prod\.scan\.pullAccounts\[0\] must be a 12-digit AWS account id, got '444'/,
    ],
    [
      'a boolean given as a word',
      (raw: any) => (raw.environments.dev.database.multiAz = 'yes'),
      /clairPipeline\.environments\.dev\.database\.multiAz must be true or false, got 'yes'/,
    ],
    [
      'a platform without its operating system',
      (raw: any) => (raw.environments.prod.scan.platforms = ['linux/arm64', 'arm64']),
      /clairPipeline\.environments\.prod\.scan\.platforms\[1\] must be a platform os\/architecture\[\/variant\] in lower case, got 'arm64'/,
    ],
    [
      'a coverage requirement given as a word',
      (raw: any) => (raw.environments.prod.scan.requireCoverage = 'no'),
      /clairPipeline\.environments\.prod\.scan\.requireCoverage must be true or false, got 'no'/,
    ],
    [
      'an updater interval over a day',
      (raw: any) => (raw.environments.prod.clair.updaterInterval = '25h'),
      /clairPipeline\.environments\.prod\.clair\.updaterInterval must be at most 24h: .* got '25h'/,
    ],
    [
      'an empty updater interval',
      (raw: any) => (raw.environments.prod.clair.updaterInterval = ''),
      /clairPipeline\.environments\.prod\.clair\.updaterInterval must be a Go duration such as '2h' or '90m' \(0 turns the updater off\), got ''/,
    ],
    [
      'a log level that hides the update events while the updater runs',
      (raw: any) => (raw.environments.dev.clair.logLevel = 'warning'),
      /clairPipeline\.environments\.dev\.clair\.logLevel must be debug or info while the updater runs \(updaterInterval '2h'\): .*got 'warning'/,
    ],
    [
      'a bad alarm e-mail address',
      (raw: any) => (raw.environments.prod.monitoring = { alarmEmail: 'oncall' }),
      /clairPipeline\.environments\.prod\.monitoring\.alarmEmail must be an e-mail address, got 'oncall'/,
    ],
    [
      'a freshness schedule that is no schedule expression',
      (raw: any) => (raw.environments.dev.monitoring = { freshnessSchedule: 'daily' }),
      /clairPipeline\.environments\.dev\.monitoring\.freshnessSchedule must be an EventBridge schedule expression .* got 'daily'/,
    ],
    [
      'a cron freshness schedule',
      (raw: any) => (raw.environments.dev.monitoring = { freshnessSchedule: 'cron(0 6 * * ? *)' }),
      /clairPipeline\.environments\.dev\.monitoring\.freshnessSchedule must be a rate expression from 'rate\(1 hour\)' to 'rate\(6 days\)' .*no cron.*, got 'cron\(0 6 \* \* \? \*\)'/,
    ],
    [
      'a freshness rate EventBridge rejects (plural unit for 1)',
      (raw: any) => (raw.environments.dev.monitoring = { freshnessSchedule: 'rate(1 days)' }),
      /clairPipeline\.environments\.dev\.monitoring\.freshnessSchedule must be a rate expression .* got 'rate\(1 days\)'/,
    ],
    [
      'a freshness check more often than hourly',
      (raw: any) => (raw.environments.dev.monitoring = { freshnessSchedule: 'rate(30 minutes)' }),
      /clairPipeline\.environments\.dev\.monitoring\.freshnessSchedule must be a rate expression from 'rate\(1 hour\)' .* got 'rate\(30 minutes\)'/,
    ],
    [
      'a freshness check rarer than every six days',
      (raw: any) => (raw.environments.prod.monitoring = { freshnessSchedule: 'rate(7 days)' }),
      /clairPipeline\.environments\.prod\.monitoring\.freshnessSchedule must be a rate expression .* got 'rate\(7 days\)'/,
    ],
    [
      'a database connection threshold of 0',
      (raw: any) => (raw.environments.prod.monitoring = { maxDatabaseConnections: 0 }),
      /clairPipeline\.environments\.prod\.monitoring\.maxDatabaseConnections must be an integer from 1 to 5000, got 0/,
    ],
    [
      'an unknown monitoring key',
      (raw: any) => (raw.environments.prod.monitoring = { alarmMail: 'oncall@example.com' }),
      /clairPipeline\.environments\.prod\.monitoring\.alarmMail is not a known setting \(known here: alarmEmail, freshnessSchedule, maxDatabaseConnections\)/,
    ],
  ])('rejects %s', (_name, mutate, message) => {
    expect(errorFor(mutate)).toMatch(message);
  });

  test('rejects a missing configuration, saying where it belongs', () => {
    expect(() => parseConfig(undefined)).toThrow(
      /clairPipeline is missing; set it in cdk\.json \(context clairPipeline\)/,
    );
  });

  test('reports every problem at once', () => {
    const message = errorFor((raw) => {
      raw.pipeline.account = 'x';
      raw.environments.dev.region = 'y';
    });
    expect(message).toMatch(/pipeline\.account[\s\S]*environments\.dev\.region/);
  });
});

describe('overrides with -c', () => {
  function configWith(extraContext: Record<string, string>) {
    return loadConfig(new App({ context: { clairPipeline: defaultRawConfig(), ...extraContext } }).node);
  }

  test('a dotted key replaces one setting and converts numbers and booleans', () => {
    const config = configWith({
      'clairPipeline.environments.dev.account': '444444444444',
      'clairPipeline.environments.dev.clair.maxTasks': '3',
      'clairPipeline.environments.dev.database.multiAz': 'true',
    });
    expect(config.environments[0]).toMatchObject({
      account: '444444444444',
      clair: { maxTasks: 3 },
      database: { multiAz: true },
    });
    expect(config.placeholders).not.toContain('clairPipeline.environments.dev.account=222222222222');
  });

  test('a dotted key adds an environment after those of cdk.json', () => {
    const config = configWith({
      'clairPipeline.environments.staging.account': '444444444444',
      'clairPipeline.environments.staging.region': 'eu-central-1',
      'clairPipeline.environments.staging.availabilityZones': '["eu-central-1a","eu-central-1b"]',
    });
    expect(config.environments.map((env) => env.name)).toEqual(['dev', 'prod', 'staging']);
  });

  test('a dotted key with a bad value fails like cdk.json would', () => {
    expect(() => configWith({ 'clairPipeline.environments.dev.clair.maxTasks': 'many' })).toThrow(
      /clairPipeline\.environments\.dev\.clair\.maxTasks must be an integer from 1 to 20, got 'many'/,
    );
  });

  test('a whole configuration can be given as JSON', () => {
    const raw = defaultRawConfig();
    raw.source.branch = 'release';
    const config = loadConfig(new App({ context: { clairPipeline: JSON.stringify(raw) } }).node);
    expect(config.source.branch).toBe('release');
  });
});

describe('scan.platforms', () => {
  test('reaches the scanner project as PLATFORMS, and nothing when every platform is scanned', () => {
    const raw = rawWithSections();
    raw.environments.prod.scan.platforms = ['linux/arm64', 'linux/amd64'];
    const [dev, prod] = parseConfig(raw).environments;

    expect(platformEnvironment(prod.scan)).toEqual({ PLATFORMS: 'linux/arm64,linux/amd64' });
    expect(platformEnvironment(dev.scan)).toEqual({});
    // The scanner's own setting: a caller starting a scan cannot widen or narrow it.
    expect(GATE_VARIABLES).not.toContain('PLATFORMS');
  });
});
