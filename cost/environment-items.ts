import { EnvironmentConfig } from '../config/config';
import { goDurationSeconds, rateExpressionMinutes } from '../config/durations';
import { FixedItem, hourly, HOURS_PER_MONTH, ItemGroup, KEYS, monthly, rdsInstanceKey, UsageItem } from './items';

/** What the cost model needs to know about an environment beyond its configuration. */
export interface EnvironmentOptions {
  /** Whether the environment deploys the sample app (its VPC, task and keys). @default true */
  readonly sampleApp?: boolean;
}

/** Interface endpoints of Clair's VPC with `network.vpcEndpoints` (ECR API, ECR Docker, Logs, Secrets Manager). */
const INTERFACE_ENDPOINTS = 4;
/** Zones of a new VPC without `availabilityZones` (PrivateNetwork's maxAzs), and assumed for an existing one. */
const DEFAULT_ZONES = 2;
/** Clair's secrets: the database credentials and the pagination key. */
const CLAIR_SECRETS = 2;
/**
 * Clair's customer-managed keys, each encrypting one thing: flow logs, the two database log
 * groups, database storage (data stack); Clair's logs, scanner artifacts, scanner logs, freshness
 * check logs, the alarm topic (service stack).
 */
const CLAIR_KEYS = 9;
/** The sample app's keys: its flow logs and its logs. */
const SAMPLE_APP_KEYS = 2;
/**
 * Alarm metrics of the service alarms: 11 alarms, one of them (missing tasks) on a math
 * expression over two metrics, which CloudWatch bills as two alarm metrics.
 */
const SERVICE_ALARM_METRICS = 12;
/** The updater alarms (updates finished, fetch errors), when the updater runs. */
const UPDATER_ALARMS = 2;
/** The rescan's keys (stages/clair/rescan.ts): its state and artifacts, its logs. */
const RESCAN_KEYS = 2;
/**
 * Alarm metrics of the rescan's alarms when it runs: running images failing policy, rescan failed
 * and rescan silent, one of them on a math expression over two metrics.
 */
const RESCAN_ALARM_METRICS = 4;
/** The sample app's task size (stages/sample-app/sample-app-stack.ts). */
const SAMPLE_APP_TASK = { vcpu: 0.25, gb: 0.5 };

/**
 * The items one environment's account holds because of its configuration: Clair (network,
 * database, service, scanner, monitoring) and, unless switched off, the sample app.
 */
export function environmentItems(env: EnvironmentConfig, options: EnvironmentOptions = {}): ItemGroup {
  const sampleApp = options.sampleApp ?? true;
  const prefix = `clairPipeline.environments.${env.name}`;
  return {
    title: `${env.name} (${env.profile}${sampleApp ? '' : ', no sample app'}): account ${env.account}, ${env.region}`,
    region: env.region,
    settingPrefix: prefix,
    regionSetting: `${prefix}.region`,
    fixed: [...clairItems(env), ...(sampleApp ? sampleAppItems(env) : [])],
    usage: usageItems(env, sampleApp),
  };
}

function clairItems(env: EnvironmentConfig): FixedItem[] {
  const { network, database, clair } = env;
  const copies = database.multiAz ? 2 : 1;
  const zones = env.availabilityZones?.length ?? DEFAULT_ZONES;
  const updaterRuns = goDurationSeconds(clair.updaterInterval) > 0;
  const alarmMetrics =
    SERVICE_ALARM_METRICS + (updaterRuns ? UPDATER_ALARMS : 0) + (env.rescan.enabled ? RESCAN_ALARM_METRICS : 0);
  const keys = CLAIR_KEYS + RESCAN_KEYS;
  // One metric filter counts passed freshness checks; two more count updater events.
  const logMetrics = 1 + (updaterRuns ? 2 : 0);
  const items: FixedItem[] = [];
  if (!network.vpcId) {
    items.push({
      what: "NAT gateways of Clair's VPC, with their public IPv4 addresses",
      detail: `${network.natGateways}`,
      charges: [hourly(KEYS.natGatewayHour, network.natGateways), hourly(KEYS.publicIpv4Hour, network.natGateways)],
    });
  }
  if (network.vpcEndpoints) {
    items.push({
      what: 'Interface endpoints (ECR, ECR Docker, Logs, Secrets Manager), per zone',
      detail: `${INTERFACE_ENDPOINTS} × ${zones} zones${network.vpcId && !env.availabilityZones ? ' (assumed)' : ''}`,
      charges: [hourly(KEYS.interfaceEndpointHour, INTERFACE_ENDPOINTS * zones)],
    });
  }
  items.push(
    { what: "Clair's internal Application Load Balancer", detail: '1', charges: [hourly(KEYS.albHour, 1)] },
    {
      what: 'RDS for PostgreSQL instance (Multi-AZ: two instances)',
      detail: `db.${database.instanceType}, ${database.multiAz ? 'Multi-AZ' : 'Single-AZ'}`,
      charges: [hourly(rdsInstanceKey(database.instanceType), copies)],
      setting: 'database.instanceType',
    },
    {
      what: 'RDS storage, gp3 (Multi-AZ: two copies)',
      detail: `${database.allocatedStorageGiB} GB${copies > 1 ? ' × 2' : ''}, grows up to ${database.maxAllocatedStorageGiB} GB`,
      charges: [monthly(KEYS.rdsGp3GbMonth, copies * database.allocatedStorageGiB)],
    },
    fargateItem(
      'Clair on Fargate, at the autoscaling floor',
      { tasks: clair.minTasks, vcpu: clair.cpu / 1024, gb: clair.memoryMiB / 1024, publicIp: false },
      `, up to ${clair.maxTasks} when scaled out`,
    ),
    {
      what: 'CloudWatch alarms, per alarm metric',
      detail: `${alarmMetrics}`,
      charges: [monthly(KEYS.alarmMetricMonth, alarmMetrics)],
    },
    {
      what: "Custom metrics from Clair's and the freshness check's logs",
      detail: `${logMetrics}`,
      charges: [monthly(KEYS.customMetricMonth, logMetrics)],
    },
    {
      what: 'Secrets Manager secrets (database credentials, pagination key)',
      detail: `${CLAIR_SECRETS}`,
      charges: [monthly(KEYS.secretMonth, CLAIR_SECRETS)],
    },
    {
      what: "KMS keys (Clair's logs, database, scanner, alarm topic, rescan state and logs)",
      detail: `${keys}`,
      charges: [monthly(KEYS.kmsKeyMonth, keys)],
    },
  );
  return items;
}

function sampleAppItems(env: EnvironmentConfig): FixedItem[] {
  const publicIp = env.sampleApp.egress === 'public-ip';
  return [
    ...(publicIp
      ? []
      : [
          {
            what: "Sample app: its VPC's NAT gateway, with its public IPv4 address",
            detail: '1',
            charges: [hourly(KEYS.natGatewayHour, 1), hourly(KEYS.publicIpv4Hour, 1)],
          },
        ]),
    fargateItem('Sample app on Fargate', { tasks: 1, ...SAMPLE_APP_TASK, publicIp }),
    {
      what: 'Sample app: KMS keys (its logs, flow logs)',
      detail: `${SAMPLE_APP_KEYS}`,
      charges: [monthly(KEYS.kmsKeyMonth, SAMPLE_APP_KEYS)],
    },
  ];
}

/** A Fargate service at `tasks` tasks, with a public IPv4 address per task where it has one. */
function fargateItem(
  what: string,
  task: { tasks: number; vcpu: number; gb: number; publicIp: boolean },
  suffix = '',
): FixedItem {
  return {
    what,
    detail: `${task.tasks} × ${task.vcpu} vCPU, ${task.gb} GB${task.publicIp ? ', public IPv4' : ''}${suffix}`,
    charges: [
      hourly(KEYS.fargateVcpuHour, task.tasks * task.vcpu),
      hourly(KEYS.fargateGbHour, task.tasks * task.gb),
      ...(task.publicIp ? [hourly(KEYS.publicIpv4Hour, task.tasks)] : []),
    ],
  };
}

function usageItems(env: EnvironmentConfig, sampleApp: boolean): UsageItem[] {
  const { network, clair, database } = env;
  const natGateways = (network.vpcId ? 0 : network.natGateways) + (sampleApp && env.sampleApp.egress === 'nat' ? 1 : 0);
  const freshnessChecks = Math.round(
    (HOURS_PER_MONTH * 60) / (rateExpressionMinutes(env.monitoring.freshnessSchedule) ?? 1440),
  );
  return [
    ...(natGateways > 0
      ? [
          {
            what: 'NAT gateway data processing',
            price: KEYS.natGatewayGb,
            driver: `feed downloads, image pulls${network.vpcEndpoints ? '' : ', logs and secrets'} through ${natGateways} NAT gateway${natGateways > 1 ? 's' : ''}`,
          },
        ]
      : []),
    ...(network.vpcEndpoints
      ? [
          {
            what: 'Interface endpoint data processing',
            price: KEYS.interfaceEndpointGb,
            driver: 'image pulls, logs and secrets',
          },
        ]
      : []),
    { what: 'Load balancer capacity units', price: KEYS.albLcuHour, driver: "scans through Clair's load balancer" },
    {
      what: 'Scanner builds (CodeBuild, general1.small)',
      price: KEYS.codebuildSmallMinute,
      driver: `one build per gate scan, plus ${freshnessChecks} freshness checks a month (${env.monitoring.freshnessSchedule})`,
    },
    ...(env.rescan.enabled
      ? [
          {
            what: 'Rescans of what runs (CodeBuild, general1.small)',
            price: KEYS.codebuildSmallMinute,
            driver: `${Math.round((HOURS_PER_MONTH * 60) / (rateExpressionMinutes(env.rescan.schedule) ?? 120))} rescans a month (${env.rescan.schedule}), a few minutes each when Clair knows the images`,
          },
          {
            what: 'Rescan metrics (custom-metric price)',
            price: KEYS.customMetricMonth,
            driver: 'three metrics the rescan publishes each run (failing images, images not rescanned, rescan failed)',
          },
        ]
      : []),
    {
      what: 'CloudWatch Logs ingestion',
      price: KEYS.logsIngestGb,
      driver: `Clair, database, scanner and VPC flow logs${sampleApp ? ', the sample app' : ''}`,
    },
    {
      what: 'CloudWatch Logs storage',
      price: KEYS.logsStorageGbMonth,
      driver: `kept ${clair.logRetentionDays} days (clair.logRetentionDays)`,
    },
    {
      what: 'Container Insights metrics (custom-metric price)',
      price: KEYS.customMetricMonth,
      driver: `per cluster, service and task of the ECS cluster${sampleApp ? 's' : ''}`,
    },
    {
      what: 'RDS backup storage beyond the allocated size',
      price: KEYS.rdsBackupGbMonth,
      driver: `${database.backupRetentionDays} days of backups (database.backupRetentionDays)`,
    },
    {
      what: 'S3 storage of load-balancer access logs',
      price: KEYS.s3StandardGbMonth,
      driver: `kept ${clair.logRetentionDays} days`,
    },
    {
      what: 'ECR storage of the images',
      price: KEYS.ecrStorageGbMonth,
      driver: `Clair, scanner, canary${sampleApp ? ' and sample-app' : ''} images in the CDK bootstrap repository`,
    },
    {
      what: 'Data transfer out to the internet',
      price: KEYS.dataTransferOutGb,
      driver: 'requests Clair and the scanner send out',
    },
  ];
}
