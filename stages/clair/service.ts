import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AccessLogBucket } from '../../common/access-log-bucket';
import { acknowledge } from '../../common/acknowledge';
import { newEncryptedLogGroup } from '../../common/encrypted-log-group';
import { ClairServiceConfig } from '../../config/config';
import { DATABASE_NAME } from './database';

/** Clair v2's REST API port; the listener uses it too, so clients see Clair's usual port. */
export const CLAIR_API_PORT = 6060;
/** Clair v2's health port (`GET /health`: database ping only). */
export const CLAIR_HEALTH_PORT = 6061;
/**
 * Clair v2 analyses each layer synchronously inside the POST; klar's CLAIR_TIMEOUT is 15 minutes
 * and Clair's own API timeout 900 s, so the load balancer must wait longer than both.
 */
export const ALB_IDLE_TIMEOUT = Duration.minutes(16);

/** What the listener answers, with status 403, to every call the gate does not make. */
export const REFUSED_MESSAGE = 'Forbidden: this Clair API accepts only the scan gate calls';

/**
 * The only calls the listener forwards to Clair: what klar sends (`POST /v1/layers`, then
 * `GET /v1/layers/<name>?vulnerabilities`) and what the scanner's coverage check reads
 * (`GET /v1/layers/<name>?features`, `GET /v1/namespaces`,
 * `GET /v1/namespaces/<ns>/vulnerabilities?limit=1`). Clair v2's GET routes only read; its writes
 * (POST, PUT, DELETE on vulnerabilities, fixes, layers and notifications) are all refused.
 * Path patterns are case-sensitive and match the path only, never the query string.
 */
export const GATE_ROUTES: Readonly<Record<'analyze' | 'read', elbv2.AddRuleProps>> = {
  analyze: {
    priority: 10,
    conditions: [
      elbv2.ListenerCondition.httpRequestMethods(['POST']),
      elbv2.ListenerCondition.pathPatterns(['/v1/layers']),
    ],
  },
  read: {
    priority: 20,
    conditions: [
      elbv2.ListenerCondition.httpRequestMethods(['GET']),
      elbv2.ListenerCondition.pathPatterns(['/v1/layers/*', '/v1/namespaces', '/v1/namespaces/*']),
    ],
  },
};

/** The uid:gid the Clair image runs as (created in container/clair/Dockerfile). */
export const CLAIR_CONTAINER_USER = '10001:10001';

/** Properties of {@link ClairService}. */
export interface ClairServiceProps {
  /** The VPC; tasks and the load balancer go into its private subnets. */
  readonly vpc: ec2.IVpc;
  /** The database Clair connects to. */
  readonly database: rds.IDatabaseInstance;
  /** Its generated credentials (`username`, `password`). */
  readonly databaseSecret: secretsmanager.ISecret;
  /** The environment's service settings. */
  readonly config: ClairServiceConfig;
}

/**
 * Clair on Fargate behind an internal load balancer. Credentials and the pagination key reach the
 * container as ECS secrets only; the entrypoint renders Clair's config from them at start.
 */
export class ClairService extends Construct {
  /** The load balancer's security group: admit callers with `allowCaller`. */
  public readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  /** The tasks' security group (the database admits it). */
  public readonly taskSecurityGroup: ec2.SecurityGroup;
  /** The URL klar needs: scheme, host and explicit port. */
  public readonly url: string;
  /** The Fargate service. */
  public readonly service: ecs.FargateService;
  /** The load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The target group of Clair's tasks (health and 5xx metrics). */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Clair's log group: one JSON event per line, with the message in `Event`. */
  public readonly logGroup: logs.ILogGroup;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ClairServiceProps,
  ) {
    super(scope, id);
    const { config, vpc } = props;
    const privateSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

    // Shared by every task: Clair's paginated API responses carry tokens encrypted with it. A
    // fernet key is 32 bytes in URL-safe base64: 43 characters here, the entrypoint adds the '='.
    const paginationKey = new secretsmanager.Secret(this, 'PaginationKey', {
      description: "Clair's API pagination key (fernet), shared by all tasks",
      generateSecretString: { passwordLength: 43, excludePunctuation: true, includeSpace: false },
    });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: config.cpu,
      memoryLimitMiB: config.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    this.logGroup = newEncryptedLogGroup(this, 'Logs', {
      description: "Clair's logs",
      retentionDays: config.logRetentionDays,
    });
    const container = taskDefinition.addContainer('Clair', {
      image: ecs.ContainerImage.fromDockerImageAsset(
        new ecrAssets.DockerImageAsset(this, 'Image', {
          directory: path.join(__dirname, '..', '..', 'container', 'clair'),
          platform: ecrAssets.Platform.LINUX_AMD64,
        }),
      ),
      readonlyRootFilesystem: true,
      // The image's non-root user (container/clair/Dockerfile); stated here so ECS enforces it.
      user: CLAIR_CONTAINER_USER,
      memoryLimitMiB: config.memoryMiB,
      environment: {
        DB_HOST: props.database.dbInstanceEndpointAddress,
        DB_PORT: props.database.dbInstanceEndpointPort,
        DB_NAME: DATABASE_NAME,
        DB_SSLMODE: 'verify-full',
        CLAIR_UPDATER_INTERVAL: config.updaterInterval,
        CLAIR_LOG_LEVEL: config.logLevel,
        CLAIR_REQUIRE_PAGINATION_KEY: 'true',
      },
      secrets: {
        DB_USER: ecs.Secret.fromSecretsManager(props.databaseSecret, 'username'),
        DB_PASSWORD: ecs.Secret.fromSecretsManager(props.databaseSecret, 'password'),
        CLAIR_PAGINATION_KEY: ecs.Secret.fromSecretsManager(paginationKey),
      },
      portMappings: [{ containerPort: CLAIR_API_PORT }, { containerPort: CLAIR_HEALTH_PORT }],
      logging: ecs.LogDriver.awsLogs({ streamPrefix: 'clair', logGroup: this.logGroup }),
    });
    // The root filesystem is read-only: Clair's updater needs /tmp, the entrypoint writes its config.
    for (const [name, containerPath] of [
      ['tmp', '/tmp'],
      ['config', '/etc/clair'],
    ]) {
      taskDefinition.addVolume({ name });
      container.addMountPoints({ sourceVolume: name, containerPath, readOnly: false });
    }

    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.taskSecurityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc,
      description: 'Clair tasks: admit only the load balancer; egress to feeds, registries and the database',
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: config.minTasks,
      vpcSubnets: privateSubnets,
      securityGroups: [this.taskSecurityGroup],
      assignPublicIp: false,
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      // A first start runs Clair's schema migrations before /health answers.
      healthCheckGracePeriod: Duration.minutes(10),
    });
    const scaling = this.service.autoScaleTaskCount({ minCapacity: config.minTasks, maxCapacity: config.maxTasks });
    scaling.scaleOnCpuUtilization('CpuScaling', { targetUtilizationPercent: 60 });

    this.loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      description: 'Clair load balancer: admits only the scanner and configured consumers',
      allowAllOutbound: false,
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: false,
      vpcSubnets: privateSubnets,
      securityGroup: this.loadBalancerSecurityGroup,
      idleTimeout: ALB_IDLE_TIMEOUT,
      dropInvalidHeaderFields: true,
      deletionProtection: config.deletionProtection,
    });
    this.loadBalancer.logAccessLogs(
      new AccessLogBucket(this, 'AccessLogs', { retentionDays: config.logRetentionDays }),
      'clair-alb',
    );

    const certificate = config.certificateArn
      ? acm.Certificate.fromCertificateArn(this, 'Certificate', config.certificateArn)
      : undefined;
    // Clair's API also adds, changes and deletes vulnerabilities, without authentication: the
    // listener forwards only the calls the gate makes and refuses everything else.
    const listener = this.loadBalancer.addListener('Api', {
      port: CLAIR_API_PORT,
      protocol: certificate ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP,
      certificates: certificate ? [certificate] : undefined,
      sslPolicy: certificate ? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(403, {
        contentType: 'text/plain',
        messageBody: REFUSED_MESSAGE,
      }),
    });
    this.targetGroup = listener.addTargets('Clair', {
      ...GATE_ROUTES.analyze,
      port: CLAIR_API_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [
        this.service.loadBalancerTarget({ containerName: container.containerName, containerPort: CLAIR_API_PORT }),
      ],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        port: String(CLAIR_HEALTH_PORT),
        path: '/health',
        healthyHttpCodes: '200',
        interval: Duration.seconds(30),
      },
    });
    listener.addAction('ReadApi', { ...GATE_ROUTES.read, action: elbv2.ListenerAction.forward([this.targetGroup]) });
    // addTargets opens the API port from the load balancer; the health port needs its own rule.
    this.taskSecurityGroup.connections.allowFrom(
      this.loadBalancerSecurityGroup,
      ec2.Port.tcp(CLAIR_HEALTH_PORT),
      'Load balancer health checks',
    );

    for (const cidr of config.consumerCidrs) {
      this.allowCaller(ec2.Peer.ipv4(cidr), `Consumer ${cidr}`);
    }
    config.consumerSecurityGroupIds.forEach((groupId, index) => {
      this.allowCaller(
        ec2.SecurityGroup.fromSecurityGroupId(this, `Consumer${index}`, groupId, { mutable: false }),
        `Consumer ${groupId}`,
      );
    });

    this.acknowledgeFindings(taskDefinition, paginationKey, listener, certificate === undefined);
    const scheme = certificate ? 'https' : 'http';
    const host = config.apiHostName ?? this.loadBalancer.loadBalancerDnsName;
    this.url = `${scheme}://${host}:${CLAIR_API_PORT}`;
  }

  private acknowledgeFindings(
    taskDefinition: ecs.TaskDefinition,
    paginationKey: secretsmanager.ISecret,
    listener: elbv2.ApplicationListener,
    plainHttp: boolean,
  ): void {
    const { config } = this.props;
    acknowledge(
      taskDefinition,
      'AwsSolutions::AwsSolutions-ECS2',
      'The environment holds only non-secret settings (host, port, names, modes); credentials and the pagination key are ECS secrets.',
    );
    acknowledge(
      paginationKey,
      'AwsSolutions::AwsSolutions-SMG4',
      'Rotating the pagination key needs every task restarted together (tokens in flight become invalid); it is a runbook step (docs/operations.md).',
    );
    if (plainHttp) {
      acknowledge(
        listener,
        'cdk-validator-cfnguard::alb_http_to_https_redirection_check',
        'No certificate is configured (clair.certificateArn): the internal listener serves HTTP on port 6060 inside the VPC, reachable only from the scanner and configured consumers. Set a certificate for TLS.',
      );
    }
    if (!config.deletionProtection) {
      acknowledge(
        this.loadBalancer,
        'cdk-validator-cfnguard::elbv2_deletion_protection_enabled_check',
        "Deletion protection is off by this environment's configuration (clair.deletionProtection=false) so it can be torn down.",
      );
    }
  }

  /** Lets `peer` call Clair's API through the load balancer (and nothing else). */
  public allowCaller(peer: ec2.IPeer, description: string): void {
    this.loadBalancerSecurityGroup.addIngressRule(peer, ec2.Port.tcp(CLAIR_API_PORT), description);
  }
}
