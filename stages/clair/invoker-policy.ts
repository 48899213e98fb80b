import { GATE_VARIABLES } from '@clair-pipeline/scan';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The `codebuild:StartBuild` condition keys of every override besides environment variables: a
 * key is present exactly when the request overrides that field, so a `Null: false` deny on each
 * refuses the override. The environment's leaf keys are listed one by one: their parents
 * (`codebuild:environment`, `codebuild:environment.environmentVariables`) are also present when
 * only environment variables are overridden. Other groups have no environment variables under
 * them, so their parent key covers every field below it; their leaf keys are listed as well, so
 * no field depends on how a parent is set. Keys that embed an identifier
 * (`codebuild:secondarySources/${sourceIdentifier}.location`) are covered by their plain forms.
 * A test checks this list against every StartBuild key of the AWS service reference.
 */
export const DENIED_OVERRIDE_KEYS = [
  'codebuild:environment.image',
  'codebuild:environment.type',
  'codebuild:environment.computeType',
  'codebuild:environment.fleet.fleetArn',
  'codebuild:environment.privilegedMode',
  'codebuild:environment.certificate',
  'codebuild:environment.imagePullCredentialsType',
  'codebuild:environment.registryCredential',
  'codebuild:environment.registryCredential.credential',
  'codebuild:environment.registryCredential.credentialProvider',
  'codebuild:serviceRole',
  'codebuild:encryptionKey',
  'codebuild:autoRetryLimit',
  'codebuild:source',
  'codebuild:source.buildspec',
  'codebuild:source.location',
  'codebuild:source.auth.type',
  'codebuild:source.auth.resource',
  'codebuild:source.insecureSsl',
  'codebuild:source.buildStatusConfig.context',
  'codebuild:source.buildStatusConfig.targetUrl',
  'codebuild:secondarySources',
  'codebuild:secondarySources.buildspec',
  'codebuild:secondarySources.location',
  'codebuild:secondarySources.sourceIdentifier',
  'codebuild:secondarySources.auth.type',
  'codebuild:secondarySources.auth.resource',
  'codebuild:secondarySources.insecureSsl',
  'codebuild:secondarySources.buildStatusConfig.context',
  'codebuild:secondarySources.buildStatusConfig.targetUrl',
  'codebuild:artifacts',
  'codebuild:artifacts.location',
  'codebuild:artifacts.bucketOwnerAccess',
  'codebuild:artifacts.encryptionDisabled',
  'codebuild:secondaryArtifacts',
  'codebuild:secondaryArtifacts.artifactIdentifier',
  'codebuild:secondaryArtifacts.location',
  'codebuild:secondaryArtifacts.bucketOwnerAccess',
  'codebuild:secondaryArtifacts.encryptionDisabled',
  'codebuild:logsConfig',
  'codebuild:logsConfig.s3Logs',
  'codebuild:logsConfig.s3Logs.status',
  'codebuild:logsConfig.s3Logs.location',
  'codebuild:logsConfig.s3Logs.bucketOwnerAccess',
  'codebuild:logsConfig.s3Logs.encryptionDisabled',
  'codebuild:cache',
  'codebuild:cache.type',
  'codebuild:cache.location',
  'codebuild:cache.modes',
];

/**
 * What the invoker may do with the scanner project: read its contract version (BatchGetProjects),
 * start it with the gate's variables and nothing else overridden, watch it, stop it.
 */
export function invokerStatements(projectArn: string): iam.PolicyStatement[] {
  const startBuild = { actions: ['codebuild:StartBuild'], resources: [projectArn] };
  return [
    new iam.PolicyStatement({
      actions: [
        'codebuild:BatchGetProjects',
        'codebuild:StartBuild',
        'codebuild:BatchGetBuilds',
        'codebuild:StopBuild',
      ],
      resources: [projectArn],
    }),
    new iam.PolicyStatement({
      ...startBuild,
      effect: iam.Effect.DENY,
      conditions: {
        'ForAnyValue:StringNotEquals': { 'codebuild:environment.environmentVariables.name': GATE_VARIABLES },
      },
    }),
    // One statement per key: the keys of one condition block must all match (AND), and any one
    // override must be refused. CDK moves what exceeds a role's inline limit into a managed
    // overflow policy; a test checks both sizes.
    ...DENIED_OVERRIDE_KEYS.map(
      (key) =>
        new iam.PolicyStatement({ ...startBuild, effect: iam.Effect.DENY, conditions: { Null: { [key]: 'false' } } }),
    ),
  ];
}
