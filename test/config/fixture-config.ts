/**
 * This directory's own configurations (never the shipped configuration): a company's
 * pipeline account and two environments in two regions, each naming its zones so that nothing is
 * looked up.
 */
import { defaultContext } from '../helpers/default-config';

/** The fixture's pipeline account. */
export const PIPELINE_ACCOUNT = '123456789012';

/** A connection of the pipeline account, as the console creates it. */
export const CONNECTION_ARN = `arn:aws:codeconnections:eu-west-1:${PIPELINE_ACCOUNT}:connection/0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b`;

/** A fresh, valid `clairPipeline` object, safe to mutate: `dev` (lean, eu-west-1), then `prod` (production, eu-central-1). */
export function fixtureConfig(): any {
  return {
    pipeline: { account: PIPELINE_ACCOUNT, region: 'eu-west-1' },
    source: { repository: 'acme/clair-pipeline', branch: 'main', connectionArn: CONNECTION_ARN },
    notificationEmail: 'platform-team@example.com',
    environments: {
      dev: {
        account: '210987654321',
        region: 'eu-west-1',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        profile: 'lean',
      },
      prod: {
        account: '345678901234',
        region: 'eu-central-1',
        availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
        profile: 'production',
      },
    },
  };
}

/**
 * The context of an app built from `config`: the tests' fixture context (the CDK feature flags the
 * project ships, which shape the constructs) with `config` in place of its `clairPipeline`.
 */
export function appContext(config: unknown): Record<string, unknown> {
  return { ...defaultContext(), clairPipeline: config };
}
