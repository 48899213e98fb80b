import { Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { PrivateNetwork } from '../../common/private-network';
import { EnvironmentConfig } from '../../config/config';
import { ClairDatabase } from './database';

/** Properties of {@link ClairDataStack}. */
export interface ClairDataStackProps extends StackProps {
  /** The environment this stack belongs to. */
  readonly environment: EnvironmentConfig;
}

/** The stateful half of a Clair environment: network and database, which outlive deployments. */
export class ClairDataStack extends Stack {
  /** The VPC everything runs in. */
  public readonly vpc: ec2.IVpc;
  /** Clair's database. */
  public readonly database: ClairDatabase;

  constructor(scope: Construct, id: string, props: ClairDataStackProps) {
    super(scope, id, props);
    const { environment } = props;
    const retention = environment.clair.logRetentionDays;
    this.vpc = new PrivateNetwork(this, 'Network', { config: environment.network, logRetentionDays: retention }).vpc;
    this.database = new ClairDatabase(this, 'Database', {
      vpc: this.vpc,
      config: environment.database,
      logRetentionDays: retention,
      instanceIdentifier: `clair-${environment.name}`,
    });
  }
}
