import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { newRotatingKey } from './kms';

/** Properties of {@link newEncryptedLogGroup}. */
export interface EncryptedLogGroupProps {
  /** What the logs are, for the key's description. */
  readonly description: string;
  /** Days to keep log events; must be a CloudWatch retention period (the config validates it). */
  readonly retentionDays: number;
  /** The log group's name, when a service expects a fixed one. @default a generated name */
  readonly logGroupName?: string;
}

/** Control Tower's minimum retention (CT.CLOUDWATCH.PR.2): shorter must come from configuration. */
const ONE_YEAR_IN_DAYS = 365;

/**
 * A log group encrypted with its own rotating KMS key. CloudWatch Logs may use the key only for
 * log groups of this account and region (the encryption-context condition AWS documents).
 */
export function newEncryptedLogGroup(scope: Construct, id: string, props: EncryptedLogGroupProps): logs.LogGroup {
  const { account, region, partition } = Stack.of(scope);
  const key = newRotatingKey(scope, `${id}Key`, `Encrypts ${props.description}`);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogs',
      principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` },
      },
    }),
  );
  const logGroup = new logs.LogGroup(scope, id, {
    logGroupName: props.logGroupName,
    retention: props.retentionDays as logs.RetentionDays,
    encryptionKey: key,
    // Kept on later updates and deletes, but removed when the deployment that created it rolls
    // back: a fixed name (RDS's, the freshness check's) left behind would fail the retry with
    // "already exists".
    removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
  });
  if (props.retentionDays < ONE_YEAR_IN_DAYS) {
    acknowledge(
      logGroup,
      'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check',
      `Retention of ${props.retentionDays} days is this environment's configured logRetentionDays, a cost choice for non-production.`,
    );
  }
  return logGroup;
}
