import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../../common/acknowledge';
import { newEncryptedLogGroup } from '../../common/encrypted-log-group';
import { newRotatingKey } from '../../common/kms';
import { DatabaseConfig } from '../../config/config';

/** PostgreSQL port; Clair's tasks are the only clients the security group admits. */
export const DATABASE_PORT = 5432;
/** Name of Clair's database and of its user. */
export const DATABASE_NAME = 'clair';
/** PostgreSQL logs exported to CloudWatch. */
const LOG_EXPORTS = ['postgresql', 'upgrade'] as const;

/** Properties of {@link ClairDatabase}. */
export interface ClairDatabaseProps {
  /** The VPC; the instance goes into its isolated subnets. */
  readonly vpc: ec2.IVpc;
  /** The environment's database settings. */
  readonly config: DatabaseConfig;
  /** Days to keep the exported PostgreSQL logs. */
  readonly logRetentionDays: number;
  /** The RDS instance identifier, also naming its log groups, e.g. `clair-dev`. */
  readonly instanceIdentifier: string;
}

/**
 * Clair's RDS PostgreSQL. Clair v2's 2017 driver can only authenticate with md5, while PostgreSQL
 * 14+ stores SCRAM by default, so the parameter group sets `password_encryption=md5` (in force
 * when the instance and its master password are created) and keeps SSL forced.
 */
export class ClairDatabase extends Construct {
  /** The instance. */
  public readonly instance: rds.DatabaseInstance;
  /** Generated credentials (`username`, `password`, `host`, ...). */
  public readonly secret: secretsmanager.ISecret;
  /** The instance's security group; admit clients with `allowFrom`. */
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: ClairDatabaseProps) {
    super(scope, id);
    const { config } = props;
    // The major version only: RDS picks its current default minor for a new instance and upgrades
    // minors automatically. An exact minor would fail new environments once RDS retires it
    // (docs/operations.md says how to pin one for a while).
    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'Clair v2: md5 passwords for its lib/pq driver, SSL forced',
      parameters: { password_encryption: 'md5', 'rds.force_ssl': '1' },
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Clair database: admits only the Clair tasks',
      allowAllOutbound: false,
    });
    // RDS would create its log groups unencrypted and without retention (or via a Lambda with
    // cloudwatchLogsRetention); creating them first under the names RDS uses avoids both.
    const logGroups = LOG_EXPORTS.map((log) =>
      newEncryptedLogGroup(this, `${log.charAt(0).toUpperCase()}${log.slice(1)}Logs`, {
        description: `PostgreSQL ${log} logs`,
        retentionDays: props.logRetentionDays,
        logGroupName: `/aws/rds/instance/${props.instanceIdentifier}/${log}`,
      }),
    );
    // Construct id 'Instance' is stable on purpose: changing it replaces the database.
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceIdentifier: props.instanceIdentifier,
      instanceType: new ec2.InstanceType(config.instanceType),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      port: DATABASE_PORT,
      databaseName: DATABASE_NAME,
      credentials: rds.Credentials.fromGeneratedSecret(DATABASE_NAME),
      parameterGroup,
      storageEncrypted: true,
      storageEncryptionKey: newRotatingKey(this, 'StorageKey', "Encrypts Clair's database storage and snapshots"),
      monitoringInterval: Duration.seconds(60),
      storageType: rds.StorageType.GP3,
      allocatedStorage: config.allocatedStorageGiB,
      maxAllocatedStorage: config.maxAllocatedStorageGiB,
      multiAz: config.multiAz,
      deletionProtection: config.deletionProtection,
      backupRetention: Duration.days(config.backupRetentionDays),
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: [...LOG_EXPORTS],
      removalPolicy: config.snapshotOnRemoval ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    });
    logGroups.forEach((logGroup) => this.instance.node.addDependency(logGroup));
    this.secret = this.instance.secret!;
    this.acknowledgeFindings(config);
  }

  private acknowledgeFindings(config: DatabaseConfig): void {
    const defaultPort =
      'The default port hides nothing: the instance is in isolated subnets and its security group admits only the Clair tasks.';
    acknowledge(this.instance, 'AwsSolutions::AwsSolutions-RDS11', defaultPort);
    acknowledge(this.instance, 'cdk-validator-cfnguard::rds_instance_no_default_ports_check', defaultPort);
    acknowledge(
      this.instance,
      'cdk-validator-cfnguard::rds_instance_iam_authentication_enabled_check',
      "Clair v2's lib/pq driver cannot send IAM authentication tokens; it authenticates with md5 over TLS.",
    );
    if (!config.multiAz) {
      const reason =
        "Multi-AZ is off by this environment's configuration (database.multiAz=false), a cost choice for non-production.";
      acknowledge(this.instance, 'AwsSolutions::AwsSolutions-RDS3', reason);
      acknowledge(this.instance, 'cdk-validator-cfnguard::rds_instance_multi_az_support_check', reason);
    }
    if (!config.deletionProtection) {
      const reason =
        "Deletion protection is off by this environment's configuration (database.deletionProtection=false) so it can be torn down.";
      acknowledge(this.instance, 'AwsSolutions::AwsSolutions-RDS10', reason);
      acknowledge(this.instance, 'cdk-validator-cfnguard::rds_instance_deletion_protection_enabled_check', reason);
    }
    acknowledge(
      this.instance.node.findChild('MonitoringRole'),
      'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      'The AWS-managed enhanced-monitoring policy is the one RDS documents for its monitoring role; it only writes RDS OS metrics.',
    );
    acknowledge(
      this.instance.node.findChild('Secret'),
      'AwsSolutions::AwsSolutions-SMG4',
      'Clair reads the password once at start; automatic rotation would break new connections of running tasks. Rotation is a runbook step that restarts the service (docs/operations.md).',
    );
  }
}
