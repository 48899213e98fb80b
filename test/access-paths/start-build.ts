import { conditionKeyType } from './iam-data';

/**
 * The `codebuild:StartBuild` condition keys a request sets, from its fields (the StartBuild API's
 * names). Each override sets its leaf key and the parent keys above it, as the AWS service
 * reference describes them; fields without a key (`timeoutInMinutesOverride`, `sourceVersion`,
 * `gitCloneDepthOverride`, `debugSessionEnabled`, …) set none.
 */
const FIELD_KEYS: Record<string, string[]> = {
  imageOverride: ['codebuild:environment', 'codebuild:environment.image'],
  environmentTypeOverride: ['codebuild:environment', 'codebuild:environment.type'],
  computeTypeOverride: ['codebuild:environment', 'codebuild:environment.computeType'],
  fleetOverride: ['codebuild:environment', 'codebuild:environment.fleet.fleetArn'],
  privilegedModeOverride: ['codebuild:environment', 'codebuild:environment.privilegedMode'],
  certificateOverride: ['codebuild:environment', 'codebuild:environment.certificate'],
  imagePullCredentialsTypeOverride: ['codebuild:environment', 'codebuild:environment.imagePullCredentialsType'],
  registryCredentialOverride: [
    'codebuild:environment',
    'codebuild:environment.registryCredential',
    'codebuild:environment.registryCredential.credential',
    'codebuild:environment.registryCredential.credentialProvider',
  ],
  serviceRoleOverride: ['codebuild:serviceRole'],
  encryptionKeyOverride: ['codebuild:encryptionKey'],
  autoRetryLimitOverride: ['codebuild:autoRetryLimit'],
  buildspecOverride: ['codebuild:source', 'codebuild:source.buildspec'],
  sourceLocationOverride: ['codebuild:source', 'codebuild:source.location'],
  sourceAuthOverride: ['codebuild:source', 'codebuild:source.auth.type', 'codebuild:source.auth.resource'],
  insecureSslOverride: ['codebuild:source', 'codebuild:source.insecureSsl'],
  buildStatusConfigOverride: [
    'codebuild:source',
    'codebuild:source.buildStatusConfig.context',
    'codebuild:source.buildStatusConfig.targetUrl',
  ],
  secondarySourcesOverride: ['codebuild:secondarySources', 'codebuild:secondarySources.location'],
  artifactsOverride: ['codebuild:artifacts', 'codebuild:artifacts.location'],
  secondaryArtifactsOverride: ['codebuild:secondaryArtifacts', 'codebuild:secondaryArtifacts.location'],
  logsConfigOverride: ['codebuild:logsConfig'],
  cacheOverride: ['codebuild:cache', 'codebuild:cache.type', 'codebuild:cache.location'],
};

/** Fields of a StartBuild request that have no condition key. */
export const UNKEYED_FIELDS = [
  'timeoutInMinutesOverride',
  'queuedTimeoutInMinutesOverride',
  'sourceVersion',
  'gitCloneDepthOverride',
  'debugSessionEnabled',
  'reportBuildStatusOverride',
  'idempotencyToken',
];

/** Every keyed override field, for the tests that refuse each one. */
export const KEYED_OVERRIDE_FIELDS = Object.keys(FIELD_KEYS);

/** The condition keys of a StartBuild request. */
export function startBuildContext(request: Record<string, any>): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {};
  for (const [field, value] of Object.entries(request)) {
    if (field === 'environmentVariablesOverride') {
      const variables: { name: string; value: string }[] = value;
      context['codebuild:environment'] = 'true';
      context['codebuild:environment.environmentVariables'] = 'true';
      context['codebuild:environment.environmentVariables.name'] = variables.map((v) => v.name);
      context['codebuild:environment.environmentVariables.value'] = variables.map((v) => v.value);
      for (const variable of variables) {
        context[`codebuild:environment.environmentVariables/${variable.name}.value`] = variable.value;
      }
    } else if (FIELD_KEYS[field]) {
      for (const key of FIELD_KEYS[field]) context[key] = keyValue(key, value);
    } else if (!UNKEYED_FIELDS.includes(field) && field !== 'projectName') {
      throw new Error(`startBuildContext does not know the StartBuild field ${field}`);
    }
  }
  return context;
}

/** A value of the key's type: the field's own where it is a plain value. */
function keyValue(key: string, value: unknown): string | string[] {
  const type = conditionKeyType(key);
  const text = typeof value === 'string' ? value : 'true';
  if (type === 'Bool') return 'true';
  if (type === 'Numeric') return '3';
  if (type === 'ARN') return `arn:aws:codebuild:eu-west-1:999999999999:${key.split('.').pop()}/override`;
  return type.startsWith('ArrayOf') ? [text] : text;
}

/** Environment variable overrides, all plain text. */
export function variables(names: readonly string[]): { name: string; value: string; type: string }[] {
  return names.map((name) => ({
    name,
    value: name === 'READINESS_ONLY' ? 'true' : `value-of-${name}`,
    type: 'PLAINTEXT',
  }));
}
