import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { EnvironmentStack, EnvironmentStackProps } from '../../common/environment-stack';
import { PrivateNetwork } from '../../common/private-network';
import { ClairDatabase } from './database';

/** The stateful half of a Clair environment: network and database, which outlive deployments. */
export class ClairDataStack extends EnvironmentStack {
  /** The VPC everything runs in. */
  public readonly vpc: ec2.IVpc;
  /** Clair's database. */
  public readonly database: ClairDatabase;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id, props);
    const { environment } = props;
    const retention = environment.clair.logRetentionDays;
    this.vpc = new PrivateNetwork(this, 'Network', {
      config: environment.network,
      logRetentionDays: retention,
      availabilityZones: environment.availabilityZones,
    }).vpc;
    this.database = new ClairDatabase(this, 'Database', {
      vpc: this.vpc,
      config: environment.database,
      logRetentionDays: retention,
      instanceIdentifier: `clair-${environment.name}`,
    });
  }
}
