import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../../config/config';
import { DATABASE_PORT } from './database';
import { ClairMonitoring } from './monitoring';
import { ClairRescan } from './rescan';
import { ClairScanner } from './scanner';
import { ClairService } from './service';

/** Properties of {@link ClairServiceStack}. */
export interface ClairServiceStackProps extends StackProps {
  /** The environment this stack belongs to. */
  readonly environment: EnvironmentConfig;
  /** The VPC from the data stack. */
  readonly vpc: ec2.IVpc;
  /** The database from the data stack. */
  readonly database: rds.IDatabaseInstance;
  /** Its generated credentials (`username`, `password`). */
  readonly databaseSecret: secretsmanager.ISecret;
  /** Its security group; this stack admits the Clair tasks to it. */
  readonly databaseSecurityGroup: ec2.ISecurityGroup;
  /** The pipeline (tooling) account; it (and the environment's scan.invokerAccounts) may invoke the scanner. */
  readonly pipelineAccount: string;
}

/** The outputs a pipeline reads (with envFromCfnOutputs) to reach this environment's scanner. */
export interface ScannerOutputs {
  /** Clair's URL (scheme, host, explicit port). */
  readonly clairUrl: CfnOutput;
  /** The scanner CodeBuild project's name. */
  readonly projectName: CfnOutput;
  /** The ARN of the role that may start, watch and stop that project. */
  readonly invokerRoleArn: CfnOutput;
}

/** The stateless half of a Clair environment: the service, its load balancer, the scanner, their monitoring and outputs. */
export class ClairServiceStack extends Stack {
  /** Outputs for envFromCfnOutputs. */
  public readonly outputs: ScannerOutputs;
  /** The service, for adding callers. */
  public readonly clair: ClairService;

  constructor(scope: Construct, id: string, props: ClairServiceStackProps) {
    super(scope, id, props);
    const { environment, vpc, database } = props;
    this.clair = new ClairService(this, 'Clair', {
      vpc,
      database,
      databaseSecret: props.databaseSecret,
      config: environment.clair,
    });
    // Declared here, not on the database's group: the data stack must not depend on this stack.
    new ec2.CfnSecurityGroupIngress(this, 'DatabaseFromClairTasks', {
      groupId: props.databaseSecurityGroup.securityGroupId,
      sourceSecurityGroupId: this.clair.taskSecurityGroup.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: DATABASE_PORT,
      toPort: DATABASE_PORT,
      description: 'Clair tasks',
    });
    const scanner = new ClairScanner(this, 'Scanner', {
      vpc,
      clairUrl: this.clair.url,
      policy: environment.scan,
      pipelineAccount: props.pipelineAccount,
      logRetentionDays: environment.clair.logRetentionDays,
    });
    this.clair.allowCaller(scanner.securityGroup, 'Clair scanner');
    const monitoring = new ClairMonitoring(this, 'Monitoring', {
      environment,
      service: this.clair.service,
      loadBalancer: this.clair.loadBalancer,
      targetGroup: this.clair.targetGroup,
      clairLogGroup: this.clair.logGroup,
      database,
      scanner: scanner.project,
    });
    const rescan = new ClairRescan(this, 'Rescan', {
      vpc,
      clairUrl: this.clair.url,
      environment,
      topic: monitoring.topic,
      image: scanner.image,
      canaryImage: scanner.canaryImage,
    });
    this.clair.allowCaller(rescan.securityGroup, 'Clair rescan');
    scanner.recordDeployedPolicies({ bucket: rescan.bucket, key: rescan.key });
    monitoring.dashboard.addWidgets(rescan.widget());

    this.outputs = {
      clairUrl: new CfnOutput(this, 'ClairUrl', {
        value: this.clair.url,
        description: 'Clair API URL for klar (CLAIR_ADDR): scheme, host and explicit port',
      }),
      projectName: new CfnOutput(this, 'ScannerProjectName', {
        value: scanner.project.projectName,
        description: 'CodeBuild project that scans an image (IMAGE_URI override) against this Clair',
      }),
      invokerRoleArn: new CfnOutput(this, 'ScannerInvokerRoleArn', {
        value: scanner.invokerRole.roleArn,
        description: 'Role the pipeline account assumes to start, watch and stop the scanner',
      }),
    };
  }
}
