import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';

/** Properties of an {@link AccessLogBucket}. */
export interface AccessLogBucketProps {
  /** Days to keep logs before they expire. */
  readonly retentionDays: number;
}

/**
 * Destination for S3 server access logs and load balancer access logs. Both services can only
 * write with S3-managed encryption (SSE-S3), not with a KMS key, and S3 cannot deliver server
 * access logs to a bucket with an Object Lock default retention. Versioned; expired by lifecycle.
 */
export class AccessLogBucket extends s3.Bucket {
  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id, {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        {
          expiration: Duration.days(props.retentionDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // Logs outlive the stack, but a failed first deployment leaves nothing behind.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    // Set on the L1 resource: the L2 option deploys a Lambda-backed custom resource for it.
    (this.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    const reason =
      'This bucket is the access-log destination; logging it into itself or another log bucket would recurse.';
    acknowledge(this, 'AwsSolutions::AwsSolutions-S1', reason);
    acknowledge(this, 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason);
    acknowledge(
      this,
      'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
      'S3 server access logging and ALB access logs can only deliver to buckets encrypted with SSE-S3, not SSE-KMS.',
    );
    acknowledge(
      this,
      'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
      'S3 server access logs cannot be delivered to a bucket with an Object Lock default retention; the bucket is versioned and TLS-only instead.',
    );
  }

  /**
   * Turns on the server access logs of `source` into this bucket under `prefix`, and lets S3's
   * logging service write them there, for that bucket only. Use it where the source bucket's
   * `serverAccessLogsBucket` prop is out of reach (a bucket a construct created for us): setting
   * its LoggingConfiguration alone leaves this bucket's policy without the grant.
   */
  public receiveServerAccessLogs(source: s3.Bucket, prefix: string): void {
    (source.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: this.bucketName,
      logFilePrefix: prefix,
    };
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowS3ServerAccessLogs',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.arnForObjects(`${prefix}*`)],
        conditions: {
          ArnLike: { 'aws:SourceArn': source.bucketArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(source).account },
        },
      }),
    );
  }
}
