import { Duration, Stack, StackProps, Stage } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { ClairScanRole, ClairScanStep } from '@clair-pipeline/scan';
import { newEncryptedLogGroup } from '../common/encrypted-log-group';
import { NotificationTopic } from '../common/notification-topic';
import { ClairStage } from '../stages/clair/clair-stage';
import { scannerBuildTimeout } from '../stages/clair/scanner';
import { SampleAppStage } from '../stages/sample-app/sample-app-stage';
import { PipelineConfig } from '../config/config';
import { hardenPipeline } from './pipeline-hardening';
import { stageId } from './stack-names';

/** The CodeBuild image every pipeline step runs on: pinned, so a new image cannot change a build. */
const PIPELINE_BUILD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0;

/** Days to keep the pipeline's build logs. */
const BUILD_LOG_RETENTION_DAYS = 365;

/** The exact aws-cdk CLI the self-mutation and asset steps install (the one in package.json). */
const CDK_CLI_VERSION: string = require('../package.json').devDependencies['aws-cdk'];

/** The exact cdk-assets the asset-publishing steps install (the one in package.json). */
const CDK_ASSETS_VERSION: string = require('../package.json').devDependencies['cdk-assets'];

/** Properties of the {@link PipelineStack}. */
export interface PipelineStackProps extends StackProps {
  /** The validated configuration. */
  readonly config: PipelineConfig;
}

/**
 * The self-mutating pipeline, read top to bottom like the flow in docs/design.md: source, build
 * (tests and synth, which run the security gates), self-mutation, assets, then the environments in
 * promotion order, each with an approval before it where its config asks for one.
 */
export class PipelineStack extends Stack {
  /** The CDK Pipelines construct, for adding stages. */
  public readonly pipeline: pipelines.CodePipeline;
  /** Where approval requests go. */
  public readonly approvalTopic: NotificationTopic;
  /** Where pipeline failures go. */
  public readonly failureTopic: NotificationTopic;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.approvalTopic = new NotificationTopic(this, 'ApprovalTopic', {
      displayName: 'clair-pipeline approvals',
      email: config.notificationEmail,
    });
    this.failureTopic = new NotificationTopic(this, 'FailureTopic', {
      displayName: 'clair-pipeline failures',
      email: config.notificationEmail,
    });

    // One log group for every CodeBuild step of the pipeline, so build logs have a retention.
    const buildLogs = newEncryptedLogGroup(this, 'BuildLogs', {
      description: 'the pipeline build logs',
      retentionDays: BUILD_LOG_RETENTION_DAYS,
    });

    const source = pipelines.CodePipelineSource.connection(config.source.repository, config.source.branch, {
      connectionArn: config.source.connectionArn,
      triggerOnPush: true,
    });

    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: 'clair-pipeline',
      pipelineType: codepipeline.PipelineType.V2,
      selfMutation: true,
      crossAccountKeys: true,
      enableKeyRotation: true,
      cliVersion: CDK_CLI_VERSION,
      cdkAssetsCliVersion: CDK_ASSETS_VERSION,
      // One publishing job per asset type, not one per asset: a new account's CodeBuild allows
      // only a few concurrent builds, and the pipeline publishes four images and its files.
      publishAssetsInParallel: false,
      synth: new pipelines.CodeBuildStep('Synth', {
        input: source,
        // The test command runs the security gates' negative tests and the scanner tests; a red
        // test or an unacknowledged gate finding stops the pipeline before it can mutate itself.
        commands: ['npm ci', 'npm run lint', 'npm test', 'npx cdk synth'],
        primaryOutputDirectory: 'cdk.out',
      }),
      codeBuildDefaults: {
        buildEnvironment: { buildImage: PIPELINE_BUILD_IMAGE, computeType: codebuild.ComputeType.SMALL },
        partialBuildSpec: codebuild.BuildSpec.fromObject({
          phases: { install: { 'runtime-versions': { nodejs: 20 } } },
        }),
        timeout: Duration.minutes(30),
        logging: { cloudWatch: { logGroup: buildLogs } },
      },
      // Tests start PostgreSQL and synthesize the whole app: give them 4 vCPUs.
      synthCodeBuildDefaults: {
        buildEnvironment: { computeType: codebuild.ComputeType.MEDIUM },
        timeout: Duration.minutes(60),
      },
      // Builds push Docker schema-2 manifests: buildx's default provenance attestation would turn
      // them into OCI indexes. The gate reads indexes, but the readiness check scans the canary
      // (built here too) as given, by tag, which klar cannot read as an index (docs/design.md, 14).
      // One job builds and pushes every image in turn (publishAssetsInParallel: false).
      assetPublishingCodeBuildDefaults: {
        timeout: Duration.minutes(120),
        buildEnvironment: { environmentVariables: { BUILDX_NO_DEFAULT_ATTESTATIONS: { value: '1' } } },
      },
      dockerCredentials: config.dockerHubSecretName
        ? [
            pipelines.DockerCredential.dockerHub(
              secretsmanager.Secret.fromSecretNameV2(this, 'DockerHubSecret', config.dockerHubSecretName),
            ),
          ]
        : [],
    });

    this.addEnvironments(config);
  }

  /**
   * Per environment, in the order of cdk.json: Clair (then prove its data is loaded), then, where
   * `sampleApp.enabled`, the sample app, deployed only if its exact image passes a scan against
   * that environment's Clair. Before an environment whose config requires it: permission-broadening
   * checks and a manual approval. Ids carry the name as {@link stageId} spells it (`Clair-<Name>`).
   */
  private addEnvironments(config: PipelineConfig): void {
    for (const environment of config.environments) {
      const name = stageId(environment.name);
      const clair = new ClairStage(this, `Clair-${name}`, { environment, pipelineAccount: config.pipeline.account });
      const sampleApp = environment.sampleApp.enabled
        ? new SampleAppStage(this, `SampleApp-${name}`, { environment })
        : undefined;
      const scanner = { account: environment.account, region: environment.region, outputs: clair.outputs };
      const scannerTimeout = scannerBuildTimeout(environment.scan);
      const role = new ClairScanRole(this, `ClairScanRole-${name}`);

      if (environment.requiresApproval) {
        this.pipeline.addWave(`Approve-${name}`, {
          pre: this.approvalSteps(name, environment.account, clair, sampleApp),
        });
      }
      this.pipeline.addStage(clair, {
        post: [new ClairScanStep(`ClairReadiness-${name}`, { scanner, role, scannerBuildTimeout: scannerTimeout })],
      });
      if (!sampleApp) continue;
      this.pipeline.addStage(sampleApp, {
        pre: [
          new ClairScanStep(`ScanSampleApp-${name}`, {
            scanner,
            role,
            imageUri: sampleApp.imageUri,
            policy: environment.scan,
            scannerBuildTimeout: scannerTimeout,
          }),
        ],
      });
    }
  }

  /**
   * The gate before an environment: a permission-broadening check of each of its stages (it asks
   * for confirmation only when IAM or security groups widen), then a manual approval, notified.
   */
  private approvalSteps(name: string, account: string, clair: Stage, sampleApp?: Stage): pipelines.Step[] {
    const stages = sampleApp ? [clair, sampleApp] : [clair];
    const checks = stages.map(
      (stage) =>
        new pipelines.ConfirmPermissionsBroadening(`CheckPermissions-${stage.stageName}`, {
          stage,
          notificationTopic: this.approvalTopic.topic,
        }),
    );
    const approval = new pipelines.ManualApprovalStep(`PromoteTo-${name}`, {
      comment: sampleApp
        ? `Promote to ${name} (${account}): Clair first, then the sample app after its scan.`
        : `Promote to ${name} (${account}): Clair and its scanner (no sample app in ${name}).`,
      notificationTopic: this.approvalTopic.topic,
    });
    checks.forEach((check) => approval.addStepDependency(check));
    return [...checks, approval];
  }

  /**
   * Builds the underlying CodePipeline, then adds what needs the built pipeline: failure
   * notifications and the artifact bucket's hardening. Call once, after every stage is added.
   */
  public finish(): void {
    this.pipeline.buildPipeline();
    hardenPipeline(this.pipeline, this.failureTopic);
  }
}
