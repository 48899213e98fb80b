import * as path from 'path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { cdkAssetImageUri } from '@clair-pipeline/scan';
import { Construct } from 'constructs';
import { acknowledge } from '../../common/acknowledge';
import { newEncryptedLogGroup } from '../../common/encrypted-log-group';
import { EnvironmentStack, EnvironmentStackProps } from '../../common/environment-stack';
import { PrivateNetwork } from '../../common/private-network';

/** Port the sample app listens on (unprivileged, so it runs as a non-root user). */
export const SAMPLE_APP_PORT = 8080;
/** The uid the sample app image runs as (container/sample-app/Dockerfile). */
const SAMPLE_APP_USER = '10001';

/** The sample app on Fargate: what the scan gate protects. */
export class SampleAppStack extends EnvironmentStack {
  /**
   * The exact image reference the service runs: the asset's repository and tag in this account's
   * CDK bootstrap registry. Concrete at synth time, so a pipeline step can scan it before deploying.
   */
  public readonly imageUri: string;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id, props);
    const { environment } = props;
    const image = new ecrAssets.DockerImageAsset(this, 'Image', {
      directory: path.join(__dirname, '..', '..', 'container', 'sample-app'),
      platform: ecrAssets.Platform.LINUX_AMD64,
    });
    this.imageUri = cdkAssetImageUri(environment.account, environment.region, image.imageTag);

    const publicIp = environment.sampleApp.egress === 'public-ip';
    const { vpc } = new PrivateNetwork(this, 'Network', {
      config: { vpcEndpoints: false, natGateways: publicIp ? 0 : 1 },
      logRetentionDays: environment.clair.logRetentionDays,
      availabilityZones: environment.availabilityZones,
    });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('App', {
      image: ecs.ContainerImage.fromDockerImageAsset(image),
      user: SAMPLE_APP_USER,
      readonlyRootFilesystem: true,
      memoryLimitMiB: 512,
      portMappings: [{ containerPort: SAMPLE_APP_PORT }],
      healthCheck: { command: ['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${SAMPLE_APP_PORT}/`] },
      logging: ecs.LogDriver.awsLogs({
        streamPrefix: 'sample-app',
        logGroup: newEncryptedLogGroup(this, 'Logs', {
          description: 'the sample app logs',
          retentionDays: environment.clair.logRetentionDays,
        }),
      }),
    });
    const service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: 1,
      vpcSubnets: { subnetType: publicIp ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: publicIp,
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
    });
    if (publicIp) {
      acknowledge(
        service,
        'cdk-validator-cfnguard::ecs_service_assign_public_ip_disabled_check',
        "sampleApp.egress is 'public-ip' (the lean profile's default, no NAT gateway to pay for): the task's security group admits no inbound traffic; the address only carries its image pull and logs.",
      );
    }
    acknowledge(
      taskDefinition,
      'AwsSolutions::AwsSolutions-ECS2',
      'The sample app has no environment variables; the finding comes from the empty default.',
    );
  }
}
