import { Duration, RemovalPolicy } from 'aws-cdk-lib';
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
}
