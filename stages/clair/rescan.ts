import * as fs from 'fs';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { cdkAssetRepositoryName, gatePolicyEnvironment } from '@clair-pipeline/scan';
import { Construct } from 'constructs';
import { AccessLogBucket } from '../../common/access-log-bucket';
import { acknowledge } from '../../common/acknowledge';
import { DEPLOYED_POLICIES } from '../../container/scanner/gate/deployed-policy';
import { newEncryptedLogGroup } from '../../common/encrypted-log-group';
import { newRotatingKey } from '../../common/kms';
import { EnvironmentConfig } from '../../config/config';
import { rateExpressionMinutes } from '../../config/durations';
import { readinessEnvironment } from './scan-policy';
import { allowedRegistries, plainText } from './scanner';

/** The rescan project's name: fixed, as the scanner's, so the runbook can start one by hand. */
export const RESCAN_PROJECT_NAME = 'clair-rescan';
/** CloudWatch namespace of the rescan's metrics (its role may put metrics there only). */
export const RESCAN_METRICS_NAMESPACE = 'ClairPipeline/Rescan';
/** Where the rescan keeps its previous result in its bucket. */
export const RESCAN_STATE_KEY = 'rescan/state.json';

/**
 * The rescan build's timeout: readiness may wait its whole bound; the rescan itself gets 60
 * minutes (a warm Clair rescans tens of images a second; docs/rescans.md).
 */
export function rescanBuildTimeout(environment: EnvironmentConfig): Duration {
  return Duration.minutes(environment.scan.readinessTimeoutMinutes + 60);
}

/** Properties of {@link ClairRescan}. */
export interface ClairRescanProps {
  /** The Clair VPC; the rescan runs in its private subnets. */
  readonly vpc: ec2.IVpc;
  /** Clair's URL with scheme and explicit port. */
  readonly clairUrl: string;
  /** The environment: its policy, rescan settings, names. */
  readonly environment: EnvironmentConfig;
  /** The environment's alarm topic: notified of what changed, and by the rescan's alarms. */
  readonly topic: sns.ITopic;
  /** The scanner's image (`ClairScanner.image`): the rescan runs `rescan-images` in it. */
  readonly image: ecrAssets.DockerImageAsset;
  /** The scanner's canary image (`ClairScanner.canaryImage`): readiness scans it first. */
  readonly canaryImage: ecrAssets.DockerImageAsset;
}

/**
 * The scheduled rescan of what runs (docs/rescans.md): a CodeBuild project in the Clair VPC that runs
 * `rescan-images` in the scanner image, started by an EventBridge schedule that may start it only.
 * Its role may list and describe this account's ECS tasks, pull the images the scanner may pull,
 * read and write its state (an SSE-KMS bucket of its own), notify the environment's topic, put its
 * metrics and, when enabled, import findings for its own account into Security Hub; nothing more.
 * Alarms: running images failing the policy, a rescan that failed, and rescans that stopped.
 */
export class ClairRescan extends Construct {
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly project: codebuild.Project;
  public readonly rule: events.Rule;
  /** The state bucket; it also holds the scanner's deployed-policy records (`deployed-policies/`). */
  public readonly bucket: s3.Bucket;
  /** The key that encrypts the state, the records and the build artifacts. */
  public readonly key: kms.Key;
  public readonly alarms: cloudwatch.Alarm[];
  private readonly metrics: Record<'failing' | 'notScanned' | 'failed', cloudwatch.Metric>;

  constructor(scope: Construct, id: string, props: ClairRescanProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { environment } = props;
    const policy = environment.scan;
    const config = environment.rescan;
    const { image, canaryImage } = props;
    const key = newRotatingKey(this, 'Key', 'Encrypts the rescan state and build artifacts');
    this.key = key;
    const accessLogs = new AccessLogBucket(this, 'AccessLogs', { retentionDays: environment.clair.logRetentionDays });
    this.bucket = new s3.Bucket(this, 'State', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    accessLogs.receiveServerAccessLogs(this.bucket, 'rescan-state/');
    // Set on the L1 resource: the L2 option deploys a Lambda-backed custom resource for it.
    (this.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    acknowledge(
      this.bucket,
      'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
      'The rescan rewrites one state object every run; versioning keeps 30 days of earlier states, and a lock would only pile up versions.',
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Clair rescan: calls Clair, pulls image manifests, calls AWS APIs',
    });
    const timeout = rescanBuildTimeout(environment);
    const allowlist: Record<string, string> = policy.allowlistFile
      ? { ALLOWLIST_B64: fs.readFileSync(policy.allowlistFile).toString('base64') }
      : {};
    const variables: Record<string, string> = {
      CLAIR_ADDR: props.clairUrl,
      CANARY_IMAGE_URI: canaryImage.imageUri,
      ALLOWED_REGISTRIES: allowedRegistries(stack.account, stack.region, policy.pullAccounts, stack.urlSuffix),
      SCAN_DEADLINE_SECONDS: String((timeout.toMinutes() - 5) * 60),
      ...gatePolicyEnvironment(policy),
      ...readinessEnvironment(policy),
      ...allowlist,
      RESCAN_ACCOUNT_ID: stack.account,
      RESCAN_PARTITION: stack.partition,
      RESCAN_ENVIRONMENT: environment.name,
      RESCAN_CONCURRENCY: String(config.concurrency),
      RESCAN_IMAGES: config.images.join(','),
      RESCAN_STATE_BUCKET: this.bucket.bucketName,
      RESCAN_STATE_KEY,
      RESCAN_STATE_KMS_KEY: key.keyArn,
      RESCAN_TOPIC_ARN: props.topic.topicArn,
      RESCAN_METRIC_NAMESPACE: RESCAN_METRICS_NAMESPACE,
      RESCAN_SECURITY_HUB: String(config.securityHub),
    };
    this.project = new codebuild.Project(this, 'Project', {
      projectName: RESCAN_PROJECT_NAME,
      description: "Rescans every image this account runs on ECS (and the listed ones) against this account's Clair",
      vpc: props.vpc,
      subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      environment: {
        buildImage: codebuild.LinuxBuildImage.fromEcrRepository(image.repository, image.imageTag),
        computeType: codebuild.ComputeType.SMALL,
        privileged: false,
      },
      environmentVariables: plainText(variables),
      buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['rescan-images'] } } }),
      timeout,
      encryptionKey: key,
      logging: {
        cloudWatch: {
          logGroup: newEncryptedLogGroup(this, 'Logs', {
            description: 'the rescan build logs',
            retentionDays: environment.clair.logRetentionDays,
          }),
        },
      },
    });
    this.grantRescan(policy.pullRepositories, props.topic, key, config.securityHub);
    this.acknowledgeFindings();

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Rescans the images that run in this account against Clair',
      schedule: events.Schedule.expression(config.schedule),
      enabled: config.enabled,
      targets: [new targets.CodeBuildProject(this.project)],
    });

    const metric = (name: string) =>
      new cloudwatch.Metric({
        namespace: RESCAN_METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { Environment: environment.name },
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.hours(1),
      });
    this.metrics = {
      failing: metric('RunningImagesFailingPolicy'),
      notScanned: metric('ImagesNotScanned'),
      failed: metric('RescanFailed'),
    };
    this.alarms = config.enabled ? this.newAlarms(environment, props.topic, timeout) : [];
  }

  /** The dashboard widget: the numbers the alarms watch. */
  public widget(): cloudwatch.IWidget {
    return new cloudwatch.GraphWidget({
      title: 'Rescan of running images',
      left: [this.metrics.failing, this.metrics.notScanned, this.metrics.failed],
      width: 12,
    });
  }

  private newAlarms(environment: EnvironmentConfig, topic: sns.ITopic, timeout: Duration): cloudwatch.Alarm[] {
    const prefix = `clair-${environment.name}`;
    const interval = rateExpressionMinutes(environment.rescan.schedule)!;
    // One interval plus one rescan without a result is silence; CloudWatch looks back at most 7 days.
    const silentHours = Math.min(168, Math.ceil((interval + timeout.toMinutes()) / 60));
    const action = new actions.SnsAction(topic);
    const period = Duration.minutes(Math.min(interval, 1440));
    const specs: Array<[string, string, cloudwatch.IMetric, number, cloudwatch.TreatMissingData]> = [
      [
        'running-images-failing-policy',
        'Images running in this account fail the scan policy on the latest rescan (new vulnerabilities since they were deployed).',
        this.metrics.failing.with({ period }),
        1,
        cloudwatch.TreatMissingData.IGNORE,
      ],
      [
        'rescan-failed',
        'The rescan of running images failed (Clair not ready, an image not pullable, AWS or Security Hub failing): what runs is not known to be clean.',
        new cloudwatch.MathExpression({
          expression: 'MAX([failed, notScanned])',
          usingMetrics: {
            failed: this.metrics.failed.with({ period }),
            notScanned: this.metrics.notScanned.with({ period }),
          },
          period,
          label: 'Rescan failed or images not rescanned',
        }),
        1,
        cloudwatch.TreatMissingData.IGNORE,
      ],
    ];
    const alarms = specs.map(
      ([name, description, metric, threshold, missing]) =>
        new cloudwatch.Alarm(this, `${name}-alarm`, {
          alarmName: `${prefix}-${name}`,
          alarmDescription: `${description} See docs/rescans.md, ${prefix}-${name}.`,
          metric,
          threshold,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: missing,
        }),
    );
    alarms.push(
      new cloudwatch.Alarm(this, 'rescan-silent-alarm', {
        alarmName: `${prefix}-rescan-silent`,
        alarmDescription: `No rescan reported for one schedule interval plus one rescan: it was not started, crashed or timed out. See docs/rescans.md, ${prefix}-rescan-silent.`,
        metric: this.metrics.failed.with({ statistic: cloudwatch.Stats.SAMPLE_COUNT }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: silentHours,
        datapointsToAlarm: silentHours,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    );
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    return alarms;
  }

  /** The role: exactly what the rescan calls (docs/rescans.md). */
  private grantRescan(pullRepositories: string[], topic: sns.ITopic, key: kms.IKey, securityHub: boolean): void {
    const stack = Stack.of(this);
    const { partition, region, account } = stack;
    const add = (statement: iam.PolicyStatementProps) =>
      this.project.addToRolePolicy(new iam.PolicyStatement(statement));
    add({ actions: ['ecs:ListClusters'], resources: ['*'] });
    const clusters = { ArnLike: { 'ecs:cluster': `arn:${partition}:ecs:${region}:${account}:cluster/*` } };
    add({
      actions: ['ecs:ListTasks'],
      resources: [`arn:${partition}:ecs:${region}:${account}:container-instance/*`],
      conditions: clusters,
    });
    add({
      actions: ['ecs:DescribeTasks'],
      resources: [`arn:${partition}:ecs:${region}:${account}:task/*`],
      conditions: clusters,
    });
    add({
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      resources: [cdkAssetRepositoryName(account, region), ...pullRepositories].map((repository) =>
        stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: repository }),
      ),
    });
    add({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] });
    add({
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [this.bucket.arnForObjects(RESCAN_STATE_KEY)],
    });
    // The policies images were deployed with, recorded by the scanner (docs/rescans.md): read only.
    add({
      actions: ['s3:ListBucket'],
      resources: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': `${DEPLOYED_POLICIES}/*` } },
    });
    add({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${DEPLOYED_POLICIES}/*`)] });
    add({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] });
    topic.grantPublish(this.project);
    add({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': RESCAN_METRICS_NAMESPACE } },
    });
    if (securityHub) {
      add({
        actions: ['securityhub:BatchImportFindings'],
        resources: [`arn:${partition}:securityhub:${region}:${account}:product/${account}/default`],
        conditions: { StringEquals: { 'securityhub:TargetAccount': account } },
      });
    }
  }

  private acknowledgeFindings(): void {
    acknowledge(
      this.project,
      'AwsSolutions::AwsSolutions-CB5',
      "The rescan runs the scanner image (container/scanner: klar from a pinned commit, rescan-images) from this account's CDK asset registry.",
    );
    acknowledge(
      this.project.node.findChild('PolicyDocument'),
      'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'CodeBuild in a VPC must create and describe network interfaces; CDK generates these EC2 actions on *, as CodeBuild documents.',
    );
    const rolePolicy = this.project.role!.node.findChild('DefaultPolicy');
    const { partition, region, account } = Stack.of(this);
    acknowledge(
      rolePolicy,
      'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'ecs:ListClusters and ecr:GetAuthorizationToken take no resource; cloudwatch:PutMetricData is limited by its condition to the rescan namespace.',
    );
    acknowledge(
      rolePolicy,
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
      "CodeBuild's network-interface permission, limited by its condition to this project's subnets.",
    );
    acknowledge(
      rolePolicy,
      `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/${DEPLOYED_POLICIES}/*]`,
      'The rescan reads every deployed-policy record the scanner wrote (one per image digest and policy) under deployed-policies/; it may not write or delete one.',
    );
    for (const resource of ['container-instance', 'task']) {
      acknowledge(
        rolePolicy,
        `AwsSolutions::AwsSolutions-IAM5[Resource::arn:${partition}:ecs:${region}:${account}:${resource}/*]`,
        "The rescan lists and describes every task this account runs in this region (its purpose); the condition limits it to this account's clusters.",
      );
    }
  }
}
