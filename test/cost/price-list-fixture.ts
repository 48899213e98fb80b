import { PriceListProduct, PriceTier, priceListProduct as stubProduct, writeStubPriceList } from '../helpers/stubs';

/** Where a region's products say they are, as the Price List names it. */
const LOCATIONS: Record<string, string> = { 'eu-west-1': 'EU (Ireland)', 'us-east-2': 'US East (Ohio)' };
/** The usage-type prefix of a region in the Price List. */
const PREFIXES: Record<string, string> = { 'eu-west-1': 'EU-', 'us-east-2': 'USE2-' };

/**
 * A product as AWS's Price List publishes it (the JSON each PriceList string of `get-products`
 * holds), with one on-demand term of one or more price tiers.
 */
export function priceListProduct(
  region: string,
  serviceCode: string,
  productFamily: string,
  usageType: string,
  unit: string,
  tiers: PriceTier[],
  attributes: Record<string, string> = {},
): PriceListProduct {
  return stubProduct({
    serviceCode,
    productFamily,
    attributes: {
      servicecode: serviceCode,
      location: LOCATIONS[region],
      locationType: 'AWS Region',
      regionCode: region,
      usagetype: `${PREFIXES[region]}${usageType}`,
      operation: '',
      ...attributes,
    },
    unit,
    tiers,
    describedAs: `${usageType} in ${LOCATIONS[region]}`,
    skuSeed: `${serviceCode}${usageType}${region}${JSON.stringify(attributes)}`,
  });
}

/** Round, made-up prices of `region` for every fixed item, with decoys a lookup must not take. */
export function priceListProducts(region: string, factor: number): PriceListProduct[] {
  const at = (usd: number) => [{ usd: usd * factor }];
  const p = priceListProduct;
  const rds = (instanceType: string, deploymentOption: string, usd: number) =>
    p(
      region,
      'AmazonRDS',
      'Database Instance',
      `${deploymentOption === 'Multi-AZ' ? 'Multi-AZUsage' : 'InstanceUsage'}:${instanceType}`,
      'Hrs',
      at(usd),
      {
        instanceType,
        databaseEngine: 'PostgreSQL',
        deploymentOption,
      },
    );
  return [
    p(region, 'AmazonECS', 'Compute', 'Fargate-vCPU-Hours:perCPU', 'hours', at(0.04)),
    p(region, 'AmazonECS', 'Compute', 'Fargate-ARM-vCPU-Hours:perCPU', 'hours', at(0.03)),
    p(region, 'AmazonECS', 'Compute', 'Fargate-GB-Hours', 'hours', at(0.004)),
    p(region, 'AmazonECS', 'Compute', 'Fargate-Windows-GB-Hours', 'hours', at(0.009)),
    p(region, 'AmazonEC2', 'NAT Gateway', 'NatGateway-Hours', 'Hrs', at(0.05)),
    p(region, 'AmazonEC2', 'NAT Gateway', 'NatGateway-Bytes', 'GB', at(0.05)),
    p(region, 'AmazonVPC', 'VPC Public IPv4 Address', 'PublicIPv4:InUseAddress', 'Hrs', at(0.005)),
    p(region, 'AmazonVPC', 'VPC Public IPv4 Address', 'PublicIPv4:IdleAddress', 'Hrs', at(0.006)),
    p(region, 'AmazonVPC', 'VpcEndpoint', 'VpcEndpoint-Hours', 'Hrs', at(0.01)),
    p(region, 'AmazonVPC', 'VpcEndpoint', 'VpcEndpoint-Bytes', 'GB', [
      { usd: 0.01 * factor, endRange: '1048576' },
      { usd: 0.006 * factor, beginRange: '1048576' },
    ]),
    p(region, 'AWSELB', 'Load Balancer-Application', 'LoadBalancerUsage', 'Hrs', at(0.02)),
    p(region, 'AWSELB', 'Load Balancer-Application', 'LCUUsage', 'LCU-Hrs', at(0.008)),
    p(region, 'AWSELB', 'Load Balancer-Network', 'LoadBalancerUsage', 'Hrs', at(0.03)),
    rds('db.t4g.small', 'Single-AZ', 0.03),
    rds('db.t4g.small', 'Multi-AZ', 0.06),
    rds('db.t4g.medium', 'Single-AZ', 0.06),
    rds('db.t4g.medium', 'Multi-AZ', 0.12),
    p(region, 'AmazonRDS', 'Database Storage', 'RDS:GP3-Storage', 'GB-Mo', at(0.1), {
      databaseEngine: 'PostgreSQL',
      deploymentOption: 'Single-AZ',
      volumeType: 'General Purpose-GP3',
    }),
    p(region, 'AmazonRDS', 'Database Storage', 'RDS:Multi-AZ-GP3-Storage', 'GB-Mo', at(0.2), {
      databaseEngine: 'PostgreSQL',
      deploymentOption: 'Multi-AZ',
      volumeType: 'General Purpose-GP3',
    }),
    p(region, 'awskms', 'Encryption Key', 'KMS-Keys', 'Keys', at(1)),
    p(region, 'awskms', 'API Request', 'KMS-Requests', 'Requests', at(0.000003)),
    p(region, 'AWSSecretsManager', 'Secret', 'AWSSecretsManager-Secrets', 'Secrets', at(0.4)),
    p(region, 'AmazonCloudWatch', 'Alarm', 'CW:AlarmMonitorUsage', 'Alarms', at(0.1)),
    p(region, 'AmazonCloudWatch', 'Alarm', 'CW:HighResAlarmMonitorUsage', 'Alarms', at(0.3)),
    p(region, 'AmazonCloudWatch', 'Metric', 'CW:MetricMonitorUsage', 'Metrics', [
      { usd: 0.3 * factor, endRange: '10000' },
      { usd: 0.1 * factor, beginRange: '10000', endRange: '250000' },
    ]),
  ];
}

/**
 * Writes the products of the regions (region → price factor), and any `extra` products, where the
 * stub aws reads them; returns the file.
 */
export function writePriceList(regions: Record<string, number>, extra: PriceListProduct[] = []): string {
  return writeStubPriceList([
    ...Object.entries(regions).flatMap(([region, factor]) => priceListProducts(region, factor)),
    ...extra,
  ]);
}
