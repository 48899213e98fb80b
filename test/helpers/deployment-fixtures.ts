/**
 * Configurations of the kind a company writes, owned by the tests (never the shipped cdk.json):
 * the shapes a deployment plan and the IAM guard rails must get right.
 */

const ZONES: Record<string, string[]> = {
  'eu-west-1': ['eu-west-1a', 'eu-west-1b'],
  'eu-central-1': ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
  'us-east-1': ['us-east-1a', 'us-east-1b'],
};

/** The pipeline (tooling) account of the fixtures. */
export const PIPELINE_ACCOUNT = '100000000001';

function environment(account: string, region: string, profile: 'lean' | 'production'): object {
  return { account, region, availabilityZones: ZONES[region], profile };
}

function config(environments: Record<string, object>): any {
  return {
    pipeline: { account: PIPELINE_ACCOUNT, region: 'eu-west-1' },
    source: {
      repository: 'acme/clair-pipeline',
      branch: 'main',
      connectionArn: `arn:aws:codeconnections:eu-west-1:${PIPELINE_ACCOUNT}:connection/4f2a6c1e-0b9d-4e57-9a3c-7d1e2f8b6a90`,
    },
    notificationEmail: 'platform-team@example.com',
    environments,
  };
}

/** Two environment accounts besides the pipeline's, everything in the pipeline's region. */
export function twoAccountsOneRegion(): any {
  return config({
    dev: environment('200000000002', 'eu-west-1', 'lean'),
    prod: environment('300000000003', 'eu-west-1', 'production'),
  });
}

/**
 * Four environments over three accounts and three regions: `dev` in the pipeline's own account
 * and region, `qa` in the pipeline's account in another region, `staging` and `prod` in a third
 * region, each in an account of its own; `qa` has its sample app switched off, `prod`'s rescan
 * imports findings into Security Hub (so its role holds every grant the app can give).
 */
export function manyAccountsAndRegions(): any {
  return config({
    dev: environment(PIPELINE_ACCOUNT, 'eu-west-1', 'lean'),
    qa: { ...environment(PIPELINE_ACCOUNT, 'us-east-1', 'lean'), sampleApp: false },
    staging: environment('200000000002', 'eu-central-1', 'lean'),
    prod: { ...environment('300000000003', 'eu-central-1', 'production'), rescan: { securityHub: true } },
  });
}
