import * as fs from 'fs';
import * as path from 'path';

/** Hours in the month the table prices (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

/** One list price, as cost/prices.csv states it. */
export interface Price {
  /** US dollars per unit. */
  readonly usd: number;
  /** What one unit is. */
  readonly unit: string;
  /** The region the price is for. */
  readonly region: string;
  /** When it was read (YYYY-MM-DD). */
  readonly date: string;
  /** The public page it was read from. */
  readonly source: string;
}

/** The prices of cost/prices.csv by key. */
export function readPrices(file: string = path.join(__dirname, 'prices.csv')): Record<string, Price> {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'));
  return Object.fromEntries(
    lines.slice(1).map((line) => {
      const [key, usd, unit, region, date, source] = line.split(',');
      return [key, { usd: Number(usd), unit, region, date, source }];
    }),
  );
}

/** A stack template of the environment being priced, and the stage it belongs to. */
export interface PricedStack {
  /** Its display path, e.g. `ClairPipeline/Clair-Dev/Data`. */
  readonly displayPath: string;
  /** The synthesized template. */
  readonly template: any;
}

/** The main resources the table prices, in table order. */
export const COST_LINES = [
  'natGateways',
  'interfaceEndpoints',
  'loadBalancer',
  'database',
  'databaseStorage',
  'clairTasks',
  'sampleApp',
  'kmsKeys',
] as const;
/** One line of the table. */
export type CostLine = (typeof COST_LINES)[number];

/** What a line costs in one environment, and what of it the templates show. */
export interface LineCost {
  /** US dollars a month. */
  readonly usd: number;
  /** The quantities behind it, e.g. `2 × 1 vCPU, 4 GB`. */
  readonly detail: string;
}

/**
 * The monthly list price of an environment's main resources, read from its synthesized
 * templates (Clair's and the sample app's stacks): what is always on, not what traffic adds.
 */
export function estimate(stacks: PricedStack[], prices: Record<string, Price>): Record<CostLine, LineCost> {
  const price = (key: string): number => {
    const found = prices[key];
    if (!found) throw new Error(`cost/prices.csv has no price '${key}'; add a line for it with its source`);
    return found.usd;
  };
  const resources = (type: string, stage?: string) =>
    stacks
      .filter((stack) => !stage || stack.displayPath.split('/')[1]?.startsWith(`${stage}-`))
      .flatMap((stack) =>
        Object.entries<any>(stack.template.Resources ?? {})
          .filter(([, resource]) => resource.Type === type)
          .map(([id, resource]) => ({ id, properties: resource.Properties ?? {}, template: stack.template })),
      );
  const monthly = (hourly: number) => hourly * HOURS_PER_MONTH;

  const nats = resources('AWS::EC2::NatGateway').length;
  const zonesPerEndpoint = resources('AWS::EC2::VPCEndpoint')
    .filter(({ properties }) => properties.VpcEndpointType === 'Interface')
    .map(({ properties }) => (properties.SubnetIds ?? []).length);
  const endpointZones = zonesPerEndpoint.reduce((sum, zones) => sum + zones, 0);
  const albs = resources('AWS::ElasticLoadBalancingV2::LoadBalancer').filter(
    ({ properties }) => (properties.Type ?? 'application') === 'application',
  ).length;
  const [database] = resources('AWS::RDS::DBInstance').map(({ properties }) => properties);
  const copies = database?.MultiAZ ? 2 : 1;
  const clair = fargate(resources('AWS::ECS::Service', 'Clair'), price);
  const sampleApp = fargate(resources('AWS::ECS::Service', 'SampleApp'), price);
  const keys = resources('AWS::KMS::Key').length;

  return {
    natGateways: {
      usd: monthly(nats * (price('nat-gateway-hour') + price('public-ipv4-hour'))),
      detail: `${nats}`,
    },
    interfaceEndpoints: {
      usd: monthly(endpointZones * price('interface-endpoint-hour')),
      detail: endpointZones ? `${zonesPerEndpoint.length} × ${zonesPerEndpoint[0]} zones` : 'none',
    },
    loadBalancer: { usd: monthly(albs * price('alb-hour')), detail: `${albs}` },
    database: {
      usd: database ? monthly(copies * price(`rds-postgres-${database.DBInstanceClass}-hour`)) : 0,
      detail: database ? `${database.DBInstanceClass}, ${database.MultiAZ ? 'Multi-AZ' : 'Single-AZ'}` : 'none',
    },
    databaseStorage: {
      usd: database ? copies * Number(database.AllocatedStorage) * price('rds-gp3-gb-month') : 0,
      detail: database ? `${database.AllocatedStorage} GB${copies > 1 ? ' × 2' : ''}` : 'none',
    },
    clairTasks: clair,
    sampleApp,
    kmsKeys: { usd: keys * price('kms-key-month'), detail: `${keys}` },
  };
}

/**
 * Fargate services at their floor: the autoscaling minimum where there is one, else the desired
 * count; a public IPv4 address per task where the service assigns one.
 */
function fargate(services: { id: string; properties: any; template: any }[], price: (key: string) => number): LineCost {
  let usd = 0;
  const details: string[] = [];
  for (const { id, properties, template } of services) {
    const taskDefinition = template.Resources[properties.TaskDefinition.Ref].Properties;
    const scaling = Object.values<any>(template.Resources).find(
      (resource) =>
        resource.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' &&
        JSON.stringify(resource.Properties.ResourceId).includes(`"${id}"`),
    );
    const tasks = Number(scaling?.Properties.MinCapacity ?? properties.DesiredCount ?? 1);
    const vcpu = Number(taskDefinition.Cpu) / 1024;
    const gb = Number(taskDefinition.Memory) / 1024;
    const publicIp = properties.NetworkConfiguration?.AwsvpcConfiguration?.AssignPublicIp === 'ENABLED';
    const hourly = vcpu * price('fargate-vcpu-hour') + gb * price('fargate-gb-hour');
    usd += tasks * (hourly + (publicIp ? price('public-ipv4-hour') : 0)) * HOURS_PER_MONTH;
    details.push(`${tasks} × ${vcpu} vCPU, ${gb} GB${publicIp ? ', public IPv4' : ''}`);
  }
  return { usd, detail: details.join('; ') || 'none' };
}
