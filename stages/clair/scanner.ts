import * as path from 'path';
import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  cdkAssetRepositoryName,
  CONTRACT_VARIABLE,
  gatePolicyEnvironment,
  invokerRoleName,
  scanRoleArnPattern,
  SCAN_CONTRACT_VERSION,
  SCANNER_PROJECT_NAME,
} from '@clair-pipeline/scan';
import { DEPLOYED_POLICY_VARIABLES, scannerBuildSpec } from '../../buildspecs/scanner-buildspec';
import { acknowledge } from '../../common/acknowledge';
import { DEPLOYED_POLICIES } from '../../container/scanner/gate/deployed-policy';
import { newEncryptedLogGroup } from '../../common/encrypted-log-group';
import { newRotatingKey } from '../../common/kms';
import { ScanPolicyConfig } from '../../config/config';
import { allowCrossAccountPull } from './cross-account-pull';
import { invokerStatements } from './invoker-policy';
import { platformEnvironment, readinessEnvironment } from './scan-policy';

/**
 * The scanner build's own timeout: readiness may wait its whole bound, then a last canary scan and
 * the image scan may each take klar's 15-minute request timeout.
 */
export function scannerBuildTimeout(policy: ScanPolicyConfig): Duration {
  return Duration.minutes(policy.readinessTimeoutMinutes + 30);
}

/** Minutes of the build's timeout kept for the gate's verdict and reports after its deadline. */
const VERDICT_MARGIN_MINUTES = 5;

/**
 * The gate's deadline for the whole scan (scan-image's SCAN_DEADLINE_SECONDS): the build's timeout
 * less a margin, so that a scan running long still ends with a verdict and reports before CodeBuild
 * stops the build (reference/hostile-inputs.md, D9).
 */
export function scanDeadlineSeconds(policy: ScanPolicyConfig): number {
  return (scannerBuildTimeout(policy).toMinutes() - VERDICT_MARGIN_MINUTES) * 60;
}

/**
 * The registries the scanner may read (scan-image's ALLOWED_REGISTRIES): the ECR of its own account
 * (its CDK assets, the canary and `pullRepositories`) and of each account whose repositories it
 * may pull from (`pullAccounts`, by default the invoker accounts), in its region. Set on the project and not among the variables an invoker may
 * override: a registry outside the list could poison Clair's layer cache or name any token realm
 * (reference/hostile-inputs.md, D2 and D7).
 */
export function allowedRegistries(account: string, region: string, pullAccounts: string[], urlSuffix: string): string {
  return [...new Set([account, ...pullAccounts])].map((a) => `${a}.dkr.ecr.${region}.${urlSuffix}`).join(',');
}

/** Properties of {@link ClairScanner}. */
export interface ClairScannerProps {
  /** The Clair VPC; the scanner runs in its private subnets. */
  readonly vpc: ec2.IVpc;
  /** Clair's URL with scheme and explicit port (klar's CLAIR_ADDR). */
  readonly clairUrl: string;
  /** The default scan policy of this environment (a pipeline step may override it per build). */
  readonly policy: ScanPolicyConfig;
  /** The pipeline account, whose scan roles may assume the invoker role (as may those of `policy.invokerAccounts`). */
  readonly pipelineAccount: string;
  /** Days to keep the scanner's build logs. */
  readonly logRetentionDays: number;
}

/** Where the scanner records the policy each passed image was deployed with: the rescan's bucket and key. */
export interface DeployedPolicyStore {
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
}

/**
 * The scanner: a CodeBuild project inside the Clair VPC that runs klar (via `scan-image`) against
 * this account's Clair, and an invoker role that lets the scan roles of the pipeline account
 * (`SCAN_ROLE_PREFIX`) start that one project with the gate's variables only, watch and stop it.
 * Clair has no authentication, so only the scanner's security group (and configured consumers)
 * may reach it.
 */
export class ClairScanner extends Construct {
  /** The scanner's security group; Clair's load balancer admits it. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The CodeBuild project. */
  public readonly project: codebuild.Project;
  /** The role the pipeline assumes to run scans. */
  public readonly invokerRole: iam.Role;
  /** The scanner image (klar and the gate's programs), which the rescan runs too. */
  public readonly image: ecrAssets.DockerImageAsset;
  /** The canary image, published beside the images it proves Clair against. */
  public readonly canaryImage: ecrAssets.DockerImageAsset;
  private store?: DeployedPolicyStore;

  constructor(scope: Construct, id: string, props: ClairScannerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.image = new ecrAssets.DockerImageAsset(this, 'Image', {
      directory: path.join(__dirname, '..', '..', 'container', 'scanner'),
      platform: ecrAssets.Platform.LINUX_AMD64,
    });
    // Published to the same registry as the images it proves Clair against.
    this.canaryImage = new ecrAssets.DockerImageAsset(this, 'CanaryImage', {
      directory: path.join(__dirname, '..', '..', 'container', 'canary'),
      platform: ecrAssets.Platform.LINUX_AMD64,
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Clair scanner: calls Clair and pulls image manifests',
    });
    const reports = new codebuild.ReportGroup(this, 'Reports', { type: codebuild.ReportGroupType.TEST });
    this.project = new codebuild.Project(this, 'Project', {
      projectName: SCANNER_PROJECT_NAME,
      description: "Scans one image with klar against this account's Clair (IMAGE_URI), or checks readiness",
      vpc: props.vpc,
      subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      environment: {
        buildImage: codebuild.LinuxBuildImage.fromEcrRepository(this.image.repository, this.image.imageTag),
        computeType: codebuild.ComputeType.SMALL,
        privileged: false,
      },
      environmentVariables: plainText({
        CLAIR_ADDR: props.clairUrl,
        CANARY_IMAGE_URI: this.canaryImage.imageUri,
        ALLOWED_REGISTRIES: allowedRegistries(stack.account, stack.region, props.policy.pullAccounts, stack.urlSuffix),
        SCAN_DEADLINE_SECONDS: String(scanDeadlineSeconds(props.policy)),
        ...gatePolicyEnvironment(props.policy),
        ...readinessEnvironment(props.policy),
        // The contract version this scanner speaks; scan steps read it before they start a build.
        [CONTRACT_VARIABLE]: String(SCAN_CONTRACT_VERSION),
        ...platformEnvironment(props.policy),
        // Where passed scans record their policy (recordDeployedPolicies()): the rescan's bucket,
        // made after the scanner, whose project the monitoring that the rescan notifies through watches.
        [DEPLOYED_POLICY_VARIABLES.bucket]: Lazy.string({
          produce: () => this.deployedPolicyStore().bucket.bucketName,
        }),
        [DEPLOYED_POLICY_VARIABLES.kmsKey]: Lazy.string({ produce: () => this.deployedPolicyStore().key.keyArn }),
      }),
      buildSpec: codebuild.BuildSpec.fromObject(scannerBuildSpec({ reportGroupArn: reports.reportGroupArn })),
      timeout: scannerBuildTimeout(props.policy),
      encryptionKey: newRotatingKey(this, 'ArtifactKey', 'Encrypts the scanner build artifacts'),
      logging: {
        cloudWatch: {
          logGroup: newEncryptedLogGroup(this, 'Logs', {
            description: 'the scanner build logs',
            retentionDays: props.logRetentionDays,
          }),
        },
      },
    });
    reports.grantWrite(this.project);
    // The images to scan are the CDK assets of this account, plus the repositories the config
    // names for other teams: pull access to those repositories only.
    const assetRepository = cdkAssetRepositoryName(stack.account, stack.region);
    this.project.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        resources: [assetRepository, ...props.policy.pullRepositories].map((repository) =>
          stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: repository }),
        ),
      }),
    );
    this.project.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    allowCrossAccountPull(this.project, props.policy.pullAccounts);

    this.acknowledgeFindings();

    // Each trusted account, but within it only its scan roles (SCAN_ROLE_PREFIX): trusting the
    // account alone would let any of its principals with sts:AssumeRole drive the scanner.
    const invokers = [props.pipelineAccount, ...props.policy.invokerAccounts];
    this.invokerRole = new iam.Role(this, 'InvokerRole', {
      roleName: invokerRoleName(stack.region),
      assumedBy: new iam.CompositePrincipal(
        ...invokers.map((account) => new iam.AccountPrincipal(account)),
      ).withConditions({
        ArnLike: { 'aws:PrincipalArn': invokers.map((account) => scanRoleArnPattern(stack.partition, account)) },
      }),
      description:
        'Lets the scan roles of the pipeline account (and configured invoker accounts) start the Clair scanner project with the gate variables only, watch and stop it, nothing else',
      maxSessionDuration: Duration.hours(4),
    });
    invokerStatements(this.project.projectArn).forEach((statement) => this.invokerRole.addToPolicy(statement));
  }

  /**
   * Records, for the rescan, the policy each image passed with (docs/rescans.md): the build may put
   * objects under `deployed-policies/` of the rescan's bucket, encrypted with its key, and nothing else there.
   */
  public recordDeployedPolicies(store: DeployedPolicyStore): void {
    if (this.store) throw new Error('ClairScanner.recordDeployedPolicies: called twice');
    this.store = store;
    this.project.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [store.bucket.arnForObjects(`${DEPLOYED_POLICIES}/*`)],
      }),
    );
    // The key only through S3: the records' data keys, nothing encrypted directly.
    this.project.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey'],
        resources: [store.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    const [bucket] = Stack.of(this).resolve(store.bucket.bucketArn)['Fn::GetAtt'];
    acknowledge(
      this.project.role!.node.findChild('DefaultPolicy'),
      `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucket}.Arn>/${DEPLOYED_POLICIES}/*]`,
      'The scanner puts one record per image digest and policy under deployed-policies/ of the rescan bucket (keys named by digest and hash); it may not read, list or delete anything there.',
    );
  }

  private deployedPolicyStore(): DeployedPolicyStore {
    if (!this.store) {
      throw new Error(
        "ClairScanner: recordDeployedPolicies() was not called: the scanner needs the rescan's bucket to record the policies images pass with",
      );
    }
    return this.store;
  }

  private acknowledgeFindings(): void {
    acknowledge(
      this.project,
      'AwsSolutions::AwsSolutions-CB5',
      "The scanner runs our own image (container/scanner: klar from a pinned commit) from this account's CDK asset registry; CodeBuild's images do not contain klar.",
    );
    const vpcPolicy = this.project.node.findChild('PolicyDocument');
    acknowledge(
      vpcPolicy,
      'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'CodeBuild in a VPC must create and describe network interfaces; CDK generates these EC2 actions on *, as CodeBuild documents.',
    );
    acknowledge(
      this.project.role!.node.findChild('DefaultPolicy'),
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
      "CodeBuild's network-interface permission, limited by its condition to this project's subnets.",
    );
  }
}

/** CodeBuild environment variables, each plain text (nothing secret is ever passed this way). */
export function plainText(variables: Record<string, string>): Record<string, codebuild.BuildEnvironmentVariable> {
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, { value }]));
}
