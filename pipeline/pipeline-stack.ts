import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { newEncryptedLogGroup } from '../common/encrypted-log-group';
import { NotificationTopic } from '../common/notification-topic';
import { ClairStage } from '../stages/clair/clair-stage';
import { PipelineConfig } from './config';
import { hardenPipeline } from './pipeline-hardening';

/** The CodeBuild image every pipeline step runs on: pinned, so a new image cannot change a build. */
export const PIPELINE_BUILD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0;

/** Days to keep the pipeline's build logs. */
const BUILD_LOG_RETENTION_DAYS = 365;

/** The exact aws-cdk CLI the self-mutation and asset steps install (the one in package.json). */
const CDK_CLI_VERSION: string = require('../package.json').devDependencies['aws-cdk'];

/** Properties of the {@link PipelineStack}. */
export interface PipelineStackProps extends StackProps {
  /** The validated configuration. */
  readonly config: PipelineConfig;
}

/**
 * The self-mutating pipeline, read top to bottom like the flow in DESIGN.md: source, build (tests
 * and synth, which run the security gates), self-mutation, assets, then the environments in
 * promotion order with an approval before prod.
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
      synth: new pipelines.CodeBuildStep('Synth', {
        input: source,
        // The test command runs the security gates' negative tests and the scanner tests; a red
        // test or an unacknowledged gate finding stops the pipeline before it can mutate itself.
        commands: ['npm ci', 'npm test', 'npx cdk synth'],
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
      assetPublishingCodeBuildDefaults: { timeout: Duration.minutes(60) },
      dockerCredentials: config.dockerHubSecretName
        ? [
            pipelines.DockerCredential.dockerHub(
              secretsmanager.Secret.fromSecretNameV2(this, 'DockerHubSecret', config.dockerHubSecretName),
            ),
          ]
        : [],
    });

    for (const environment of config.environments) {
      const stageName = `Clair-${capitalize(environment.name)}`;
      this.pipeline.addStage(new ClairStage(this, stageName, { environment }));
    }
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

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
