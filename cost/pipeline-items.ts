import { PipelineConfig } from '../config/config';
import { ItemGroup, KEYS, monthly } from './items';

/**
 * The pipeline stack's customer-managed keys: the artifact bucket's (cross-account keys), the
 * approval and failure topics', and the build logs'.
 */
const PIPELINE_KEYS = 4;

/**
 * The items of the pipeline (tooling) account: in its region, the pipeline stack; in every other
 * region an environment deploys to, CDK Pipelines' support stack, whose replication bucket has a
 * key of its own.
 */
export function pipelineItems(config: PipelineConfig): ItemGroup[] {
  const { account, region } = config.pipeline;
  const secret = config.dockerHubSecretName;
  const main: ItemGroup = {
    title: `pipeline: account ${account}, ${region}`,
    region,
    settingPrefix: 'clairPipeline.pipeline',
    regionSetting: 'clairPipeline.pipeline.region',
    fixed: [
      {
        what: 'KMS keys (artifact bucket, approval and failure topics, build logs)',
        detail: `${PIPELINE_KEYS}`,
        charges: [monthly(KEYS.kmsKeyMonth, PIPELINE_KEYS)],
      },
      ...(secret
        ? [
            {
              what: 'Secrets Manager secret you created for Docker Hub (dockerHubSecretName)',
              detail: secret,
              charges: [monthly(KEYS.secretMonth, 1)],
            },
          ]
        : []),
    ],
    usage: [
      {
        what: 'CodePipeline V2 action minutes (no charge per pipeline; approvals are free)',
        price: KEYS.codepipelineActionMinute,
        driver: `every push runs source, build, self-mutation, assets and the environments (${config.environments.map((env) => env.name).join(', ')})`,
      },
      {
        what: 'Build step (CodeBuild, general1.medium)',
        price: KEYS.codebuildMediumMinute,
        driver: 'npm ci, lint, the tests and cdk synth on every push',
      },
      {
        what: 'Other pipeline steps (CodeBuild, general1.small)',
        price: KEYS.codebuildSmallMinute,
        driver: 'self-mutation, asset publishing (four images), permission checks, scan steps',
      },
      {
        what: 'S3 storage of pipeline artifacts',
        price: KEYS.s3StandardGbMonth,
        driver: 'source and cloud assembly of each run',
      },
      { what: 'S3 PUT requests', price: KEYS.s3PutThousand, driver: 'artifacts and access logs of each run' },
      { what: 'CloudWatch Logs ingestion', price: KEYS.logsIngestGb, driver: 'build logs' },
    ],
  };
  const supportRegions = [...new Set(config.environments.map((env) => env.region))].filter((other) => other !== region);
  const support = supportRegions.map((supportRegion): ItemGroup => {
    const env = config.environments.find((candidate) => candidate.region === supportRegion)!;
    return {
      title: `pipeline: account ${account}, ${supportRegion} (CDK Pipelines' support stack)`,
      region: supportRegion,
      settingPrefix: `clairPipeline.environments.${env.name}`,
      regionSetting: `clairPipeline.environments.${env.name}.region`,
      fixed: [
        {
          what: 'KMS key of the artifact replication bucket',
          detail: '1',
          charges: [monthly(KEYS.kmsKeyMonth, 1)],
        },
      ],
      usage: [
        {
          what: 'S3 storage of replicated artifacts',
          price: KEYS.s3StandardGbMonth,
          driver: 'the artifacts each run deploys here',
        },
      ],
    };
  });
  return [main, ...support];
}
