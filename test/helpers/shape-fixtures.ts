/**
 * Configurations whose apps some tests read only for their shape (the pipeline's stages and
 * actions, the resources each account is billed for, what synth says, a Clair stage's templates),
 * synthesized once per test
 * run without the gates beside the deployment fixtures (UNGATED_FIXTURE_APPS in
 * test/helpers/default-assembly.ts), instead of each test file building its app in its own
 * process. Here, not in the test files: the key under which their assemblies are kept across runs
 * leaves the `*.test.ts` files out (test/helpers/fixture-assembly-cache.ts), so a configuration
 * written in a test file would not give a new key when it changes.
 */
import { fixtureConfig } from '../config/fixture-config';
import { defaultRawConfig } from './default-config';

/** The shipped configuration with only its `prod` environment (test/pipeline/small-apps.test.ts). */
export function oneEnvironment(): any {
  const raw = defaultRawConfig();
  raw.environments = { prod: raw.environments.prod };
  return raw;
}

/** The shipped configuration with two environments whose names differ only by a hyphen, `ab` then `a-b` (test/pipeline/small-apps.test.ts). */
export function hyphenatedNames(): any {
  const raw = defaultRawConfig();
  raw.environments = {
    ab: { account: '444444444444', region: 'eu-west-1', availabilityZones: ['eu-west-1a', 'eu-west-1b'] },
    'a-b': { account: '555555555555', region: 'eu-west-1', availabilityZones: ['eu-west-1a', 'eu-west-1b'] },
  };
  return raw;
}

/**
 * test/config's company configuration (`dev` lean, `prod` production) whose prod runs no sample
 * app and which names no address for notifications (test/pipeline/config-switches.test.ts).
 */
export function noSampleAppInProdNoAddress(): any {
  const raw = fixtureConfig();
  delete raw.notificationEmail;
  raw.environments.prod.sampleApp = false;
  return raw;
}

const CONNECTION = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b';

/**
 * The cost model's fixture (test/cost/inventory.test.ts): three environments that between them
 * turn every setting the model reads: a lean one beside the pipeline; a production one in another
 * region with three zones, the updater off, a big Clair and a Single-AZ database; a production one
 * with one NAT gateway and the sample app on public IPs.
 */
export function costInventory(): any {
  return {
    pipeline: { account: '111111111111', region: 'eu-west-1' },
    source: { repository: 'example-org/clair-pipeline', branch: 'main', connectionArn: CONNECTION },
    environments: {
      dev: {
        account: '444444444444',
        region: 'eu-west-1',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        profile: 'lean',
      },
      stage: {
        account: '555555555555',
        region: 'us-east-2',
        availabilityZones: ['us-east-2a', 'us-east-2b', 'us-east-2c'],
        profile: 'production',
        clair: { updaterInterval: '0', cpu: 2048, memoryMiB: 8192, minTasks: 3, maxTasks: 5 },
        database: { instanceType: 't4g.large', multiAz: false, allocatedStorageGiB: 50 },
      },
      prod: {
        account: '666666666666',
        region: 'eu-central-1',
        availabilityZones: ['eu-central-1a', 'eu-central-1b'],
        profile: 'production',
        network: { natGateways: 1 },
        database: { allocatedStorageGiB: 30 },
        sampleApp: { egress: 'public-ip' },
      },
    },
  };
}

/** A certificate of the shipped prod account. */
const CERTIFICATE = 'arn:aws:acm:eu-west-1:333333333333:certificate/0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b';

/**
 * The shipped configuration with every optional Clair setting in `prod` (TLS on a host name of
 * its own, consumers by CIDR and security group, no interface endpoints, another team's account
 * admitted to its scanner and one of its repositories pulled, a rescan every two hours of an
 * image of that team's, imported into Security Hub, eight at a time) and `dev`'s rescan turned
 * off (test/stages/clair-stage-options.test.ts, test/stages/rescan.test.ts).
 */
export function clairOptions(): any {
  const raw = defaultRawConfig();
  raw.environments.prod.clair = {
    certificateArn: CERTIFICATE,
    apiHostName: 'clair.prod.example.com',
    consumerCidrs: ['10.20.0.0/16'],
    consumerSecurityGroupIds: ['sg-0123456789abcdef0'],
    updaterInterval: '2h',
  };
  raw.environments.prod.network = { vpcEndpoints: false };
  raw.environments.prod.scan = { invokerAccounts: ['444444444444'], pullRepositories: ['team-a/web'] };
  raw.environments.prod.rescan = {
    securityHub: true,
    images: [`444444444444.dkr.ecr.eu-west-1.amazonaws.com/batch@sha256:${'a'.repeat(64)}`],
    concurrency: 8,
  };
  raw.environments.dev.rescan = { enabled: false };
  return raw;
}
