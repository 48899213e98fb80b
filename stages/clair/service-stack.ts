import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../../pipeline/config';
import { ClairDatabase, DATABASE_PORT } from './database';
import { ClairService } from './service';

/** Properties of {@link ClairServiceStack}. */
export interface ClairServiceStackProps extends StackProps {
  /** The environment this stack belongs to. */
  readonly environment: EnvironmentConfig;
  /** The VPC from the data stack. */
  readonly vpc: ec2.IVpc;
  /** The database from the data stack. */
  readonly database: ClairDatabase;
}

/** The stateless half of a Clair environment: the service, its load balancer and its outputs. */
export class ClairServiceStack extends Stack {
  /** The Clair URL (scheme, host, explicit port) for envFromCfnOutputs. */
  public readonly clairUrlOutput: CfnOutput;
  /** The service, for adding callers. */
  public readonly clair: ClairService;

  constructor(scope: Construct, id: string, props: ClairServiceStackProps) {
    super(scope, id, props);
    const { environment, vpc, database } = props;
    this.clair = new ClairService(this, 'Clair', {
      vpc,
      database: database.instance,
      databaseSecret: database.secret,
      config: environment.clair,
    });
    // Declared here, not on the database's group: the data stack must not depend on this stack.
    new ec2.CfnSecurityGroupIngress(this, 'DatabaseFromClairTasks', {
      groupId: database.securityGroup.securityGroupId,
      sourceSecurityGroupId: this.clair.taskSecurityGroup.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: DATABASE_PORT,
      toPort: DATABASE_PORT,
      description: 'Clair tasks',
    });
    this.clairUrlOutput = new CfnOutput(this, 'ClairUrl', {
      value: this.clair.url,
      description: 'Clair API URL for klar (CLAIR_ADDR): scheme, host and explicit port',
    });
  }
}
