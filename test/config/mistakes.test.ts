/**
 * The mistakes a new user made configuring the project (issue 15), each read through the real
 * config reader: one message naming the setting, the value and the fix, asserted whole; where the
 * fix is a command line, it is run through a shell and must then be accepted.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, ContextProvider, Stack } from 'aws-cdk-lib';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import { ConfigError } from '../../config/config-reader';
import { loadConfig, parseConfig, PipelineConfig } from '../../config/config';
import { availabilityZonesContextKey } from '../../config/lookups';
import { main as appEntryPoint } from '../../pipeline/app';
import { CONNECTION_ARN, fixtureConfig } from './fixture-config';

/** The configuration an app with this context reads, as `cdk synth` would (cdk.json's object plus `-c` overrides). */
function load(context: Record<string, unknown>): PipelineConfig {
  return loadConfig(new App({ context }).node);
}

/** The fixture with `-c` overrides, as the CLI passes them. */
function loadWith(overrides: Record<string, string>): PipelineConfig {
  return load({ clairPipeline: fixtureConfig(), ...overrides });
}

/** Every problem `work` reports; fails if it reports none. */
function problemsOf(work: () => unknown): string[] {
  try {
    work();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

/** The context that `-c` options, as a user would type them into bash, give the app. */
function contextFromShell(options: string): Record<string, string> {
  const words = execFileSync('bash', ['-c', `printf '%s\\0' ${options}`], { encoding: 'utf8' }).split('\0');
  const context: Record<string, string> = {};
  for (let i = 0; i + 1 < words.length; i += 2) {
    expect(words[i]).toBe('-c');
    const [key, ...value] = words[i + 1].split('=');
    context[key] = value.join('=');
  }
  return context;
}

describe('availability zones that synth cannot look up', () => {
  const credentials = process.env.CDK_DEFAULT_ACCOUNT;
  beforeEach(() => delete process.env.CDK_DEFAULT_ACCOUNT);
  afterAll(() => {
    if (credentials !== undefined) process.env.CDK_DEFAULT_ACCOUNT = credentials;
  });

  /** The fixture without prod's zones. */
  function withoutZones(): any {
    const raw = fixtureConfig();
    delete raw.environments.prod.availabilityZones;
    return raw;
  }

  const MESSAGE =
    'clairPipeline.environments.prod.availabilityZones must be set: synth has no AWS credentials to look up the zones of eu-central-1 in account 345678901234, and the context (cdk.context.json) does not hold them; set it in cdk.json (context clairPipeline.environments.prod.availabilityZones) as a JSON list, for example ["eu-central-1a","eu-central-1b"], or override it with -c \'clairPipeline.environments.prod.availabilityZones=["eu-central-1a","eu-central-1b"]\'; or run synth once with credentials for that account and commit the cdk.context.json it writes';

  test("fail with our message, not CDK's 'Need to perform AWS calls'", () => {
    expect(problemsOf(() => load({ clairPipeline: withoutZones() }))).toEqual([MESSAGE]);
  });

  // In this process (a child costs about a second of CPU; test/pipeline/app.test.ts starts the
  // entry point as cdk does), with the environment `cdk synth` gives it.
  test('fail through the CDK entry point as one clean block and a non-zero exit', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-entry-'));
    const written: string[] = [];
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const given = { CDK_CONTEXT_JSON: process.env.CDK_CONTEXT_JSON, CDK_OUTDIR: process.env.CDK_OUTDIR };
    // What `npx cdk synth` hands the app on a machine without credentials: no CDK_DEFAULT_ACCOUNT.
    process.env.CDK_CONTEXT_JSON = JSON.stringify({ clairPipeline: withoutZones() });
    process.env.CDK_OUTDIR = outdir;
    try {
      expect(appEntryPoint()).toBe(1);
      expect(written.join('')).toBe(`Invalid clair-pipeline configuration:\n  - ${MESSAGE}\n`);
      expect(fs.readdirSync(outdir)).toEqual([]);
    } finally {
      stderr.mockRestore();
      for (const [name, value] of Object.entries(given)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('following the message works', () => {
    const config = load({
      clairPipeline: withoutZones(),
      ...contextFromShell(MESSAGE.split(' or override it with ')[1].split(';')[0]),
    });
    expect(config.environments[1].availabilityZones).toEqual(['eu-central-1a', 'eu-central-1b']);
  });

  test('are left to CDK when the CLI has credentials, or the context holds them', () => {
    process.env.CDK_DEFAULT_ACCOUNT = '123456789012';
    expect(load({ clairPipeline: withoutZones() }).environments[1].availabilityZones).toBeUndefined();
    delete process.env.CDK_DEFAULT_ACCOUNT;
    const recorded = {
      [availabilityZonesContextKey('345678901234', 'eu-central-1')]: ['eu-central-1a', 'eu-central-1b'],
    };
    expect(load({ clairPipeline: withoutZones(), ...recorded }).environments[1].availabilityZones).toBeUndefined();
  });

  test('are not needed by an existing VPC without the sample app', () => {
    const raw = withoutZones();
    raw.environments.prod.network = { vpcId: 'vpc-0123456789abcdef0' };
    raw.environments.prod.sampleApp = false;
    expect(load({ clairPipeline: raw }).environments[1].network.vpcId).toBe('vpc-0123456789abcdef0');
  });

  test('are recorded by CDK under the key the check reads', () => {
    const stack = new Stack(new App(), 'Zoned', { env: { account: '345678901234', region: 'eu-central-1' } });
    const { key } = ContextProvider.getKey(stack, { provider: cxschema.ContextProvider.AVAILABILITY_ZONE_PROVIDER });
    expect(key).toBe(availabilityZonesContextKey('345678901234', 'eu-central-1'));
  });
});

test('rejects an account written as a JSON number with one message saying to quote it', () => {
  const raw = fixtureConfig();
  raw.pipeline.account = 111122223333;
  expect(problemsOf(() => parseConfig(raw))).toEqual([
    'clairPipeline.pipeline.account must be a 12-digit AWS account id, got 111122223333 (a JSON number); quote it in cdk.json (context clairPipeline.pipeline.account): "account": "111122223333"',
  ]);
});

test('rejects an invoker account written as a JSON number, showing the list quoted', () => {
  const raw = fixtureConfig();
  raw.environments.prod.scan = { invokerAccounts: [111122223333] };
  const [message] = problemsOf(() => parseConfig(raw));
  expect(message).toBe(
    'clairPipeline.environments.prod.scan.invokerAccounts[0] must be a 12-digit AWS account id, got 111122223333 (a JSON number: quote it); set it in cdk.json (context clairPipeline.environments.prod.scan.invokerAccounts) as a JSON list, for example ["111122223333"], or override it with -c \'clairPipeline.environments.prod.scan.invokerAccounts=["111122223333"]\'',
  );
  raw.environments.prod.scan.invokerAccounts = JSON.parse(/for example (\[.*?\]),/.exec(message)![1]);
  expect(parseConfig(raw).environments[1].scan.invokerAccounts).toEqual(['111122223333']);
});

describe.each(['ClairPipeline', 'clairpipeline', 'CLAIRPIPELINE', 'clair-pipeline', 'clair_pipeline'])(
  'a context key spelled %s',
  (spelling) => {
    test('given with -c is refused, naming the right key', () => {
      expect(problemsOf(() => loadWith({ [`${spelling}.environments.dev.account`]: '444444444444' }))).toEqual([
        `${spelling}.environments.dev.account is not read: context keys are case-sensitive and this project's key is 'clairPipeline', got -c ${spelling}.environments.dev.account=444444444444; write -c clairPipeline.environments.dev.account=444444444444`,
      ]);
    });

    test('in cdk.json is refused, naming the right key', () => {
      expect(problemsOf(() => load({ [spelling]: fixtureConfig() }))).toEqual([
        `${spelling} is not read: context keys are case-sensitive and this project's key is 'clairPipeline', got the key '${spelling}'; rename it to 'clairPipeline' in cdk.json`,
      ]);
    });
  },
);

describe('an environment that only -c names, without a region', () => {
  test('is refused with the known environments, the closest one, and how to add a new one', () => {
    expect(problemsOf(() => loadWith({ 'clairPipeline.environments.prdo.account': '444444444444' }))).toEqual([
      "clairPipeline.environments.prdo is not an environment of cdk.json, which has dev, prod (did you mean prod?), got -c clairPipeline.environments.prdo.account=444444444444; to change prod, write -c clairPipeline.environments.prod.account=444444444444; to add a new environment 'prdo', give at least its account and region (-c clairPipeline.environments.prdo.account=<account id> -c clairPipeline.environments.prdo.region=<region>) or add it to cdk.json",
    ]);
  });

  test('suggests nothing when no environment is close', () => {
    expect(problemsOf(() => loadWith({ 'clairPipeline.environments.qa.clair.maxTasks': '3' }))).toEqual([
      "clairPipeline.environments.qa is not an environment of cdk.json, which has dev, prod, got -c clairPipeline.environments.qa.clair.maxTasks=3; to change an environment, use one of those names; to add a new environment 'qa', give at least its account and region (-c clairPipeline.environments.qa.account=<account id> -c clairPipeline.environments.qa.region=<region>) or add it to cdk.json",
    ]);
  });

  test('is added when -c gives its account, region and zones', () => {
    const config = loadWith(
      contextFromShell(
        '-c clairPipeline.environments.qa.account=444444444444 -c clairPipeline.environments.qa.region=eu-west-2 -c \'clairPipeline.environments.qa.availabilityZones=["eu-west-2a","eu-west-2b"]\'',
      ),
    );
    expect(config.environments.map((env) => env.name)).toEqual(['dev', 'prod', 'qa']);
  });
});

describe('the invokerAccounts example in the message', () => {
  const MESSAGE =
    'clairPipeline.environments.prod.scan.invokerAccounts[0] must be a 12-digit AWS account id, got \'team-a\'; set it in cdk.json (context clairPipeline.environments.prod.scan.invokerAccounts) as a JSON list, for example ["123456789012"], or override it with -c \'clairPipeline.environments.prod.scan.invokerAccounts=["123456789012"]\'';

  test('is one that works', () => {
    const raw = fixtureConfig();
    raw.environments.prod.scan = { invokerAccounts: ['team-a'] };
    expect(problemsOf(() => parseConfig(raw))).toEqual([MESSAGE]);
  });

  test('works when followed in cdk.json', () => {
    const raw = fixtureConfig();
    raw.environments.prod.scan = { invokerAccounts: JSON.parse(/for example (\[.*?\]),/.exec(MESSAGE)![1]) };
    expect(parseConfig(raw).environments[1].scan.invokerAccounts).toEqual(['123456789012']);
  });

  test('works when followed on the command line', () => {
    const options = MESSAGE.split('or override it with ')[1];
    expect(loadWith(contextFromShell(options)).environments[1].scan.invokerAccounts).toEqual(['123456789012']);
  });

  test('is also given for a value that is no list, with that value', () => {
    expect(
      problemsOf(() => loadWith({ 'clairPipeline.environments.prod.scan.invokerAccounts': '444455556666' })),
    ).toEqual([
      'clairPipeline.environments.prod.scan.invokerAccounts must be a list, each item a 12-digit AWS account id, got \'444455556666\'; set it in cdk.json (context clairPipeline.environments.prod.scan.invokerAccounts) as a JSON list, for example ["444455556666"], or override it with -c \'clairPipeline.environments.prod.scan.invokerAccounts=["444455556666"]\'',
    ]);
  });
});

describe('a whole object given with -c', () => {
  const GIVEN = '{"severity":"Critical","maxVulnerabilities":2,"invokerAccounts":["444455556666"]}';
  const MESSAGE = `clairPipeline.environments.prod.scan must be an object, got '${GIVEN}'; -c sets one setting at a time, not a whole object: override each setting inside it with -c clairPipeline.environments.prod.scan.severity=Critical -c clairPipeline.environments.prod.scan.maxVulnerabilities=2 -c 'clairPipeline.environments.prod.scan.invokerAccounts=["444455556666"]', or set the object in cdk.json (context clairPipeline.environments.prod.scan)`;

  test('is refused with advice to set its settings one by one', () => {
    expect(problemsOf(() => loadWith({ 'clairPipeline.environments.prod.scan': GIVEN }))).toEqual([MESSAGE]);
  });

  test('is taken when the advice is followed', () => {
    const options = MESSAGE.split('inside it with ')[1].split(', or set')[0];
    expect(loadWith(contextFromShell(options)).environments[1].scan).toMatchObject({
      severity: 'Critical',
      maxVulnerabilities: 2,
      invokerAccounts: ['444455556666'],
    });
  });

  test('for an environment gets that one message, not one per setting it lacks', () => {
    const given = '{"account":"444444444444","region":"eu-west-2"}';
    expect(problemsOf(() => loadWith({ 'clairPipeline.environments.qa': given }))).toEqual([
      `clairPipeline.environments.qa must be an object, got '${given}'; -c sets one setting at a time, not a whole object: override each setting inside it with -c clairPipeline.environments.qa.account=444444444444 -c clairPipeline.environments.qa.region=eu-west-2, or set the object in cdk.json (context clairPipeline.environments.qa)`,
    ]);
  });

  test('for the whole configuration must be valid JSON, and the message says why it is not', () => {
    expect(problemsOf(() => load({ clairPipeline: '{"pipeline": ' }))).toEqual([
      'clairPipeline given with -c must be a whole configuration as a JSON object, got \'{"pipeline": \' (not valid JSON: Unexpected end of JSON input); fix the JSON, or set the configuration in cdk.json (context clairPipeline) and override single settings with -c clairPipeline.<setting>=<value>',
    ]);
  });
});

describe('the connection', () => {
  test('of another account is refused: the pipeline role cannot use it', () => {
    const raw = fixtureConfig();
    raw.source.connectionArn = CONNECTION_ARN.replace(':123456789012:', ':999988887777:');
    expect(problemsOf(() => parseConfig(raw))).toEqual([
      "clairPipeline.source.connectionArn must be a connection of the pipeline account 123456789012 (the pipeline's source action uses it with the pipeline's own role, and a connection cannot be shared with another account), got one of account 999988887777: 'arn:aws:codeconnections:eu-west-1:999988887777:connection/0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b'; create the connection in the pipeline account 123456789012 (in any region: connections are global) and set it in cdk.json (context clairPipeline.source.connectionArn) or override it with -c clairPipeline.source.connectionArn=<value>",
    ]);
  });

  test('of another partition is refused', () => {
    const raw = fixtureConfig();
    raw.source.connectionArn = CONNECTION_ARN.replace('arn:aws:', 'arn:aws-cn:');
    expect(problemsOf(() => parseConfig(raw))).toEqual([
      "clairPipeline.source.connectionArn must be in the pipeline's partition 'aws', got 'aws-cn': 'arn:aws-cn:codeconnections:eu-west-1:123456789012:connection/0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b'; create the connection in the pipeline account 123456789012 (in any region: connections are global) and set it in cdk.json (context clairPipeline.source.connectionArn) or override it with -c clairPipeline.source.connectionArn=<value>",
    ]);
  });

  test('of the pipeline account in another region is accepted: connections are global resources', () => {
    const raw = fixtureConfig();
    raw.source.connectionArn = CONNECTION_ARN.replace(':eu-west-1:', ':us-east-1:');
    expect(parseConfig(raw).source.connectionArn).toBe(raw.source.connectionArn);
  });
});
