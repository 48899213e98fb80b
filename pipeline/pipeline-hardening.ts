import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { AccessLogBucket } from '../common/access-log-bucket';
import { denyGrantsExceptForAwsServices } from '../common/kms';
import { NotificationTopic } from '../common/notification-topic';
import { acknowledge } from '../common/acknowledge';

/** Days to keep the artifact bucket's access logs and superseded artifacts. */
const ARTIFACT_RETENTION_DAYS = 90;

/**
 * What can only be added once the CodePipeline is built: notifications on failure and the
 * hardening of the artifact bucket, the cross-region replication buckets and their keys, which CDK
 * Pipelines creates for us (creating our own would mean re-implementing its cross-account key
 * policy).
 */
export function hardenPipeline(pipeline: pipelines.CodePipeline, failureTopic: NotificationTopic): void {
  notifyOnFailure(pipeline, failureTopic);
  hardenArtifactBucket(pipeline);
  hardenCrossRegionSupport(pipeline);
  acknowledgePipelineInternals(pipeline);
}

function notifyOnFailure(pipeline: pipelines.CodePipeline, failureTopic: NotificationTopic): void {
  pipeline.pipeline.notifyOn('NotifyOnFailure', failureTopic, {
    events: [
      codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
      codepipeline.PipelineNotificationEvents.ACTION_EXECUTION_FAILED,
      codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_FAILED,
    ],
  });
}

function hardenArtifactBucket(pipeline: pipelines.CodePipeline): void {
  hardenBucket(pipeline.pipeline.artifactBucket as s3.Bucket, pipeline, 'artifacts/');
}

/**
 * A pipeline with an environment in another region replicates its artifacts through a support
 * stack per region (a bucket and its key, created by CodePipeline in the pipeline account). Those
 * get the artifact bucket's hardening, and the pipeline role's grants on them are acknowledged.
 */
function hardenCrossRegionSupport(pipeline: pipelines.CodePipeline): void {
  const supports = Object.values(pipeline.pipeline.crossRegionSupport);
  for (const { stack, replicationBucket } of supports) {
    hardenBucket(replicationBucket as s3.Bucket, stack, 'replication/');
  }
  if (supports.length === 0) return;
  const rolePolicy = pipeline.pipeline.role.node.findChild('DefaultPolicy');
  const why =
    'CDK Pipelines grants the pipeline role the replication keys of its cross-region support stacks; a key in another region can only be named as *. The statement allows KMS data-key actions only, and a key serves them only if its own policy admits this account.';
  for (const finding of ['Resource::*', 'Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*']) {
    acknowledge(rolePolicy, `AwsSolutions::AwsSolutions-IAM5[${finding}]`, why);
  }
  // Resolved in the pipeline stack, a bucket of another region is its generated physical name.
  const pipelineStack = Stack.of(pipeline);
  for (const { stack, replicationBucket } of supports) {
    acknowledge(
      rolePolicy,
      `AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:s3:::${pipelineStack.resolve(replicationBucket.bucketName)}/*]`,
      `The objects of the cross-region replication bucket in ${stack.region}, which CDK Pipelines names by its generated physical name.`,
    );
  }
}

/**
 * Versioning, access logs (to a bucket beside it), EventBridge notifications, a lifecycle for
 * superseded versions and a key that only AWS services may grant: set on the L1 resource, because
 * CodePipeline creates these buckets without taking bucket props.
 */
function hardenBucket(bucket: s3.Bucket, logScope: Construct, logPrefix: string): void {
  denyGrantsExceptForAwsServices(bucket.encryptionKey as kms.Key);
  const accessLogs = new AccessLogBucket(logScope, 'ArtifactAccessLogs', { retentionDays: ARTIFACT_RETENTION_DAYS });
  const cfnBucket = bucket.node.defaultChild as s3.CfnBucket;
  cfnBucket.versioningConfiguration = { status: 'Enabled' };
  accessLogs.receiveServerAccessLogs(bucket, logPrefix);
  cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  cfnBucket.lifecycleConfiguration = {
    rules: [
      {
        id: 'ExpireSupersededArtifacts',
        status: 'Enabled',
        noncurrentVersionExpiration: { noncurrentDays: ARTIFACT_RETENTION_DAYS },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      },
    ],
  };
  acknowledge(
    bucket,
    'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
    'Pipeline artifacts are rewritten on every run and expire by lifecycle; Object Lock would block that. The bucket is versioned, KMS-encrypted and access-logged instead.',
  );
}

/**
 * Findings on roles and projects that CDK Pipelines generates and does not let us scope further;
 * each is acknowledged on the one resource it concerns.
 */
function acknowledgePipelineInternals(pipeline: pipelines.CodePipeline): void {
  const account = Stack.of(pipeline).account;
  const selfMutationPolicy = pipeline.node
    .findChild('UpdatePipeline')
    .node.findChild('SelfMutation')
    .node.findChild('Role')
    .node.findChild('DefaultPolicy');
  acknowledge(
    selfMutationPolicy,
    'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    'CDK Pipelines self-mutation reads any stack (cloudformation:DescribeStacks) and lists buckets to locate the bootstrap resources; both are read-only.',
  );
  acknowledge(
    selfMutationPolicy,
    `AwsSolutions::AwsSolutions-IAM5[Resource::arn:*:iam::${account}:role/*]`,
    'Self-mutation may assume only roles tagged aws-cdk:bootstrap-role (deploy, file- and image-publishing) in the pipeline account; the tag condition scopes it.',
  );

  acknowledgeSecurityCheck(pipeline);
  const assets = pipeline.node.tryFindChild('Assets');
  if (!assets) return;
  for (const roleId of ['FileRole', 'DockerRole']) {
    const role = assets.node.tryFindChild(roleId);
    if (!role) continue;
    const policy = role.node.findChild('DefaultPolicy');
    const region = Stack.of(pipeline).region;
    acknowledge(
      policy,
      `AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:logs:${region}:${account}:log-group:/aws/codebuild/*]`,
      'One role is shared by all asset-publishing projects CDK Pipelines generates; it may write only CodeBuild log groups of this account.',
    );
    acknowledge(
      policy,
      `AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:codebuild:${region}:${account}:report-group/*]`,
      'One role is shared by all asset-publishing projects CDK Pipelines generates; it may write only CodeBuild report groups of this account.',
    );
    acknowledge(
      policy,
      'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'CDK Pipelines lets its asset-publishing role start, watch and stop its own CodeBuild projects; the generated statement cannot be narrowed.',
    );
  }
  for (const child of assets.node.children) {
    if (child instanceof codebuild.PipelineProject && child.node.id.startsWith('DockerAsset')) {
      acknowledge(
        child,
        'cdk-validator-cfnguard::codebuild_project_environment_privileged_check',
        'Building a Docker image asset needs the Docker daemon, which CodeBuild only runs in privileged mode; the project builds our own Dockerfiles only.',
      );
    }
  }
}

/**
 * ConfirmPermissionsBroadening brings a CodeBuild project (cdk diff --security-only) and a Lambda
 * that approves the manual step automatically when nothing broadens. Both are CDK's, not ours.
 */
function acknowledgeSecurityCheck(pipeline: pipelines.CodePipeline): void {
  const securityCheck = pipeline.node.tryFindChild('PipelinesSecurityCheck');
  if (!securityCheck) return;
  const autoApprove = securityCheck.node.findChild('CDKPipelinesAutoApprove') as lambda.Function;
  const project = securityCheck.node.findChild('CDKSecurityCheck');
  // The construct takes no timeout option: bound it like every other step (a diff takes minutes).
  (project.node.defaultChild as codebuild.CfnProject).timeoutInMinutes = 30;
  const owner = "CDK Pipelines' permission-broadening check";
  acknowledge(
    autoApprove,
    'cdk-validator-cfnguard::lambda_inside_vpc_check',
    `${owner}: the auto-approve function only calls the CodePipeline API; it needs nothing inside a VPC.`,
  );
  acknowledge(
    autoApprove.node.findChild('LogGroup'),
    'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
    `${owner}: the auto-approve function's log group is created by CDK without a key option; it logs approval decisions only.`,
  );
  acknowledge(
    autoApprove.role!,
    'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    `${owner}: the AWS-managed basic execution policy only lets the function write its own logs.`,
  );
  acknowledge(
    autoApprove.role!.node.findChild('DefaultPolicy'),
    'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    `${owner}: codepipeline:PutApprovalResult on the pipeline, as generated; the pipeline ARN is not known to the construct.`,
  );
  acknowledge(
    project,
    'cdk-validator-cfnguard::codebuild_project_logging_enabled_check',
    `${owner}: the project is created inside CDK Pipelines without a logging option; CodeBuild still keeps its logs in CloudWatch under /aws/codebuild.`,
  );
  const projectPolicy = project.node.findChild('Role').node.findChild('DefaultPolicy');
  const functionLogicalId = Stack.of(pipeline).getLogicalId(autoApprove.node.defaultChild as lambda.CfnFunction);
  acknowledge(
    projectPolicy,
    'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    `${owner}: cdk diff reads any stack's template and the bootstrap version, as generated.`,
  );
  acknowledge(
    projectPolicy,
    `AwsSolutions::AwsSolutions-IAM5[Resource::<${functionLogicalId}.Arn>:*]`,
    `${owner}: invoking every version of its own auto-approve function.`,
  );
}
