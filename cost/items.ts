/**
 * What the cost model prices: the items an account holds because of the configuration, each with
 * the price keys it is billed by. Fixed items are billed whatever happens (hours a resource
 * exists, resources a month); usage-dependent items are listed with their unit price only.
 */

/** Hours in the month the estimate prices (365 × 24 / 12), as AWS's own calculator uses. */
export const HOURS_PER_MONTH = 730;

/**
 * A key of the price sheet (cost/prices.csv) and of the live lookup (cost/price-list.ts), e.g.
 * `nat-gateway-hour`, or `rds-postgres-db.t4g.small-hour` for an RDS instance class.
 */
export type PriceKey = string;

/** The price key of one hour of a Single-AZ RDS for PostgreSQL instance of `instanceClass` (without `db.`). */
export function rdsInstanceKey(instanceClass: string): PriceKey {
  return `rds-postgres-db.${instanceClass}-hour`;
}

/** The instance class (with `db.`) of a key made by {@link rdsInstanceKey}; undefined for other keys. */
export function rdsInstanceClass(key: PriceKey): string | undefined {
  return /^rds-postgres-(db\..+)-hour$/.exec(key)?.[1];
}

/** One part of a fixed item's bill: so many units a month at the price of `price`. */
export interface Charge {
  /** The price key. */
  readonly price: PriceKey;
  /** Units billed a month (hours, GB-months, keys...). */
  readonly quantity: number;
}

/** Something billed every month whatever the traffic. */
export interface FixedItem {
  /** What it is, e.g. `NAT gateways, with their public IPv4 addresses`. */
  readonly what: string;
  /** The quantities behind it, e.g. `2 × 1 vCPU, 4 GB`. */
  readonly detail: string;
  /** What it is billed by. */
  readonly charges: Charge[];
  /**
   * The setting (relative to the environment, e.g. `database.instanceType`) whose value chose a
   * price key that the sheet may lack; named in the error when it does. @default none
   */
  readonly setting?: string;
}

/** Something billed by use: listed with its unit price, never in a total. */
export interface UsageItem {
  /** What it is, e.g. `NAT gateway data processing`. */
  readonly what: string;
  /** Its unit price's key. */
  readonly price: PriceKey;
  /** What drives it in this configuration, e.g. `image pulls and feed downloads through 1 NAT gateway`. */
  readonly driver: string;
}

/** The items of one account and region. */
export interface ItemGroup {
  /** Its heading, e.g. `dev (lean): account 222222222222, eu-west-1`. */
  readonly title: string;
  /** The region whose prices apply. */
  readonly region: string;
  /**
   * The setting that chose the region (e.g. `clairPipeline.environments.dev.region`), and the
   * prefix of the settings the items name (e.g. `clairPipeline.environments.dev`).
   */
  readonly settingPrefix: string;
  /** The region's setting, named when the sheet has no prices for the region. */
  readonly regionSetting: string;
  /** Billed every month. */
  readonly fixed: FixedItem[];
  /** Billed by use. */
  readonly usage: UsageItem[];
}

/** `count` things billed by the hour, for a month. */
export function hourly(price: PriceKey, count: number): Charge {
  return { price, quantity: count * HOURS_PER_MONTH };
}

/** `count` things billed by the month. */
export function monthly(price: PriceKey, count: number): Charge {
  return { price, quantity: count };
}

/** The price keys the model uses, besides the RDS instance classes ({@link rdsInstanceKey}). */
export const KEYS = {
  fargateVcpuHour: 'fargate-vcpu-hour',
  fargateGbHour: 'fargate-gb-hour',
  natGatewayHour: 'nat-gateway-hour',
  publicIpv4Hour: 'public-ipv4-hour',
  interfaceEndpointHour: 'interface-endpoint-hour',
  albHour: 'alb-hour',
  rdsGp3GbMonth: 'rds-gp3-gb-month',
  kmsKeyMonth: 'kms-key-month',
  secretMonth: 'secret-month',
  alarmMetricMonth: 'alarm-metric-month',
  customMetricMonth: 'custom-metric-month',
  natGatewayGb: 'nat-gateway-gb',
  interfaceEndpointGb: 'interface-endpoint-gb',
  albLcuHour: 'alb-lcu-hour',
  dataTransferOutGb: 'data-transfer-out-gb',
  codebuildSmallMinute: 'codebuild-small-minute',
  codebuildMediumMinute: 'codebuild-medium-minute',
  codepipelineActionMinute: 'codepipeline-action-minute',
  logsIngestGb: 'logs-ingest-gb',
  logsStorageGbMonth: 'logs-storage-gb-month',
  s3StandardGbMonth: 's3-standard-gb-month',
  s3PutThousand: 's3-put-1000-requests',
  ecrStorageGbMonth: 'ecr-storage-gb-month',
  rdsBackupGbMonth: 'rds-backup-gb-month',
} as const;
