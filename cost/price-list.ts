import { spawnSync } from 'child_process';
import { KEYS, PriceKey, rdsInstanceClass } from './items';
import { Price, PriceBook } from './price-sheet';

/** Where the Price List Query API answers (it also answers in eu-central-1 and ap-south-1). */
export const PRICE_LIST_ENDPOINT_REGION = 'us-east-1';

/** How to find one price in AWS's Price List. */
interface PriceQuery {
  /** The Price List service code, e.g. `AmazonEC2`. */
  readonly serviceCode: string;
  /** TERM_MATCH filters besides the region. */
  readonly filters: Record<string, string>;
  /** The usage type of the product, without its region prefix (e.g. `EU-`, `USE2-`). */
  readonly usageType: RegExp;
  /** What one unit is, as the report shows it. */
  readonly unit: string;
}

/** The fixed prices the live lookup knows how to find, by key. */
const QUERIES: Record<string, PriceQuery> = {
  [KEYS.fargateVcpuHour]: {
    serviceCode: 'AmazonECS',
    filters: {},
    usageType: /^([A-Z0-9]+-)?Fargate-vCPU-Hours:perCPU$/,
    unit: 'per vCPU-hour (Linux/x86)',
  },
  [KEYS.fargateGbHour]: {
    serviceCode: 'AmazonECS',
    filters: {},
    usageType: /^([A-Z0-9]+-)?Fargate-GB-Hours$/,
    unit: 'per GB-hour (Linux/x86)',
  },
  [KEYS.natGatewayHour]: {
    serviceCode: 'AmazonEC2',
    filters: { productFamily: 'NAT Gateway' },
    usageType: /^([A-Z0-9]+-)?NatGateway-Hours$/,
    unit: 'per NAT gateway-hour',
  },
  [KEYS.publicIpv4Hour]: {
    serviceCode: 'AmazonVPC',
    filters: {},
    usageType: /^([A-Z0-9]+-)?PublicIPv4:InUseAddress$/,
    unit: 'per public IPv4 address-hour',
  },
  [KEYS.interfaceEndpointHour]: {
    serviceCode: 'AmazonVPC',
    filters: {},
    usageType: /^([A-Z0-9]+-)?VpcEndpoint-Hours$/,
    unit: 'per interface endpoint-hour in each zone',
  },
  [KEYS.albHour]: {
    serviceCode: 'AWSELB',
    filters: { productFamily: 'Load Balancer-Application' },
    usageType: /^([A-Z0-9]+-)?LoadBalancerUsage$/,
    unit: 'per Application Load Balancer-hour',
  },
  [KEYS.rdsGp3GbMonth]: {
    serviceCode: 'AmazonRDS',
    filters: { databaseEngine: 'PostgreSQL', deploymentOption: 'Single-AZ', volumeType: 'General Purpose-GP3' },
    usageType: /^([A-Z0-9]+-)?RDS:GP3-Storage$/,
    unit: 'per GB-month of gp3 storage (Multi-AZ: twice)',
  },
  [KEYS.kmsKeyMonth]: {
    serviceCode: 'awskms',
    filters: {},
    usageType: /^([A-Z0-9]+-)?KMS-Keys$/,
    unit: 'per customer-managed key-month',
  },
  [KEYS.secretMonth]: {
    serviceCode: 'AWSSecretsManager',
    filters: {},
    usageType: /^([A-Z0-9]+-)?AWSSecretsManager-Secrets$/,
    unit: 'per secret-month',
  },
  [KEYS.alarmMetricMonth]: {
    serviceCode: 'AmazonCloudWatch',
    filters: {},
    usageType: /^([A-Z0-9]+-)?CW:AlarmMonitorUsage$/,
    unit: 'per standard-resolution alarm metric-month',
  },
  [KEYS.customMetricMonth]: {
    serviceCode: 'AmazonCloudWatch',
    filters: {},
    usageType: /^([A-Z0-9]+-)?CW:MetricMonitorUsage$/,
    unit: 'per custom metric-month (first 10000)',
  },
};

/** The query of an RDS for PostgreSQL instance class's Single-AZ hour, for keys made by `rdsInstanceKey`. */
function queryOf(key: PriceKey): PriceQuery | undefined {
  const instanceClass = rdsInstanceClass(key);
  if (!instanceClass) return QUERIES[key];
  return {
    serviceCode: 'AmazonRDS',
    filters: { instanceType: instanceClass, databaseEngine: 'PostgreSQL', deploymentOption: 'Single-AZ' },
    usageType: /^([A-Z0-9]+-)?InstanceUsage:db\./,
    unit: 'per Single-AZ instance-hour (Multi-AZ: twice)',
  };
}

/** Whether the live lookup knows how to find the price of `key`. */
export function canLookUp(key: PriceKey): boolean {
  return queryOf(key) !== undefined;
}

/** Runs the AWS CLI with `args`; returns its standard output or throws with its error line. */
export type AwsRunner = (args: string[]) => string;

/** Thrown when the AWS CLI cannot answer (not installed, no credentials, denied). */
export class PriceListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PriceListError';
  }
}

/** The AWS CLI on the PATH of `env` (a test's stub), with that environment. */
export function awsCliIn(env: NodeJS.ProcessEnv): AwsRunner {
  return (args) => awsCli(args, env);
}

/** The AWS CLI on PATH. */
export const runAwsCli: AwsRunner = (args) => awsCli(args, process.env);

function awsCli(args: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync('aws', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env });
  if (result.error) throw new PriceListError(`could not run the AWS CLI (aws): ${result.error.message}`);
  if (result.status !== 0) {
    const line =
      result.stderr
        .split('\n')
        .filter((text) => text.trim())
        .pop() ?? `exit ${result.status}`;
    throw new PriceListError(`aws ${args.slice(0, 2).join(' ')} failed: ${line.trim()}`);
  }
  return result.stdout;
}

/** One product of a `get-products` answer: each PriceList entry is a JSON document in a string. */
interface PriceListProduct {
  readonly product: { readonly sku: string; readonly attributes: Record<string, string> };
  readonly serviceCode: string;
  readonly publicationDate: string;
  readonly terms: {
    readonly OnDemand?: Record<
      string,
      {
        readonly priceDimensions: Record<
          string,
          { readonly unit: string; readonly beginRange?: string; readonly pricePerUnit: Record<string, string> }
        >;
      }
    >;
  };
}

/**
 * Looks up the on-demand list price of each `key` in each region of `needs` in AWS's Price List
 * (`aws pricing get-products`, one call per key and region). A key the Price List has no product
 * for is left out of the book, so the estimate names the setting that chose it. Throws a
 * PriceListError when the CLI fails, or when a query matches products with different prices.
 */
export function lookUpPrices(needs: { region: string; key: PriceKey }[], run: AwsRunner = runAwsCli): PriceBook {
  const book: PriceBook = {};
  for (const { region, key } of needs) {
    if (book[region]?.[key]) continue;
    const query = queryOf(key);
    if (!query) throw new PriceListError(`the live lookup does not know how to find the price '${key}'`);
    const filters = Object.entries({ regionCode: region, ...query.filters }).map(([Field, Value]) => ({
      Type: 'TERM_MATCH',
      Field,
      Value,
    }));
    const answer = JSON.parse(
      run([
        'pricing',
        'get-products',
        '--region',
        PRICE_LIST_ENDPOINT_REGION,
        '--service-code',
        query.serviceCode,
        '--filters',
        JSON.stringify(filters),
        '--format-version',
        'aws_v1',
        '--output',
        'json',
      ]),
    ) as { PriceList?: string[] };
    const found = (answer.PriceList ?? [])
      .map((text) => JSON.parse(text) as PriceListProduct)
      .filter((product) => query.usageType.test(product.product.attributes.usagetype ?? ''))
      .flatMap((product) => onDemandUsd(product).map((usd) => ({ product, usd })));
    const distinct = [...new Set(found.map(({ usd }) => usd))];
    if (distinct.length > 1) {
      throw new PriceListError(
        `the Price List has ${distinct.length} different prices for '${key}' in ${region} (${found.map(({ product, usd }) => `${product.product.sku}: $${usd}`).join(', ')}); narrow its query in cost/price-list.ts`,
      );
    }
    if (found.length === 0) continue;
    const [{ product, usd }] = found;
    book[region] ??= {};
    book[region][key] = {
      usd,
      unit: query.unit,
      region,
      date: product.publicationDate.slice(0, 10),
      source: `AWS Price List API: ${product.serviceCode} SKU ${product.product.sku} (${product.product.attributes.usagetype}), published ${product.publicationDate}`,
    } satisfies Price;
  }
  return book;
}

/** The product's on-demand USD price of its first tier (the one that starts at 0). */
function onDemandUsd(product: PriceListProduct): number[] {
  return Object.values(product.terms.OnDemand ?? {}).flatMap((term) =>
    Object.values(term.priceDimensions)
      .filter((dimension) => (dimension.beginRange ?? '0') === '0' && dimension.pricePerUnit.USD !== undefined)
      .map((dimension) => Number(dimension.pricePerUnit.USD)),
  );
}
