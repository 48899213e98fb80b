import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { newEncryptedLogGroup } from './encrypted-log-group';
import { NetworkConfig } from '../config/config';

/** Properties of {@link PrivateNetwork}. */
export interface PrivateNetworkProps {
  /**
   * The environment's network settings. `natGateways: 0` makes a VPC with public subnets only,
   * for a workload that reaches AWS with public IPs and admits nothing.
   */
  readonly config: NetworkConfig;
  /** Days to keep VPC flow logs. */
  readonly logRetentionDays: number;
  /** The zones of a new VPC. @default two zones looked up in the account at synth */
  readonly availabilityZones?: string[];
}

/**
 * A VPC for Fargate workloads, new or looked up by id: private subnets with egress (Clair's tasks
 * and the scanner fetch vulnerability feeds and pull image layers), isolated subnets for
 * databases, flow logs, and endpoints that keep ECR, S3, Logs and Secrets Manager traffic off the
 * NAT gateways.
 */
export class PrivateNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.IVpc;

  constructor(scope: Construct, id: string, props: PrivateNetworkProps) {
    super(scope, id);
    const { config } = props;
    const ingress = { name: 'Ingress', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false };
    this.vpc = config.vpcId
      ? ec2.Vpc.fromLookup(this, 'ExistingVpc', { vpcId: config.vpcId })
      : new ec2.Vpc(this, 'Vpc', {
          // Given zones, the VPC needs no lookup: synth runs offline for any account.
          ...(props.availabilityZones ? { availabilityZones: props.availabilityZones } : { maxAzs: 2 }),
          natGateways: config.natGateways,
          subnetConfiguration:
            config.natGateways === 0
              ? [ingress]
              : [
                  ingress,
                  { name: 'Application', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
                  { name: 'Database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
                ],
        });

    const restrictDefaultGroup = Stack.of(this).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
    if (restrictDefaultGroup) {
      acknowledge(
        restrictDefaultGroup.node.findChild('Handler'),
        'cdk-validator-cfnguard::lambda_inside_vpc_check',
        "CDK's provider only calls the EC2 API at deploy time to remove the default security group's rules; it reaches nothing inside the VPC.",
      );
    }

    new ec2.FlowLog(this, 'FlowLog', {
      resourceType: ec2.FlowLogResourceType.fromVpc(this.vpc),
      trafficType: ec2.FlowLogTrafficType.ALL,
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        newEncryptedLogGroup(this, 'FlowLogs', { description: 'VPC flow logs', retentionDays: props.logRetentionDays }),
      ),
    });

    if (config.vpcEndpoints) {
      const privateSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
      this.vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3 });
      const interfaceServices = {
        EcrApiEndpoint: ec2.InterfaceVpcEndpointAwsService.ECR,
        EcrDockerEndpoint: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
        LogsEndpoint: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
        SecretsManagerEndpoint: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      };
      for (const [endpointId, service] of Object.entries(interfaceServices)) {
        const endpoint = this.vpc.addInterfaceEndpoint(endpointId, {
          service,
          subnets: privateSubnets,
          privateDnsEnabled: true,
        });
        acknowledge(
          endpoint.connections.securityGroups[0],
          'AwsSolutions::AwsSolutions-EC23',
          "The endpoint's group admits HTTPS from this VPC's own CIDR only (CDK's default), not from anywhere.",
        );
      }
    }
  }
}
