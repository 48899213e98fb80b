import { parseConfig } from '../../config/config';
import { CostError } from '../../cost/estimate';
import { HOURS_PER_MONTH, KEYS, rdsInstanceKey } from '../../cost/items';
import { priceConfiguration } from '../../cost/price-configuration';
import { Price, PriceBook } from '../../cost/price-sheet';

const CONNECTION = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b';

/** A configuration of the test's own: a lean dev beside the pipeline, a production prod in another region. */
function fixture(overrides: { dev?: object; prod?: object; dockerHubSecretName?: string } = {}): unknown {
  return {
    pipeline: { account: '111111111111', region: 'eu-west-1' },
    source: { repository: 'example-org/clair-pipeline', branch: 'main', connectionArn: CONNECTION },
    ...(overrides.dockerHubSecretName ? { dockerHubSecretName: overrides.dockerHubSecretName } : {}),
    environments: {
      dev: { account: '444444444444', region: 'eu-west-1', profile: 'lean', ...overrides.dev },
      prod: { account: '555555555555', region: 'us-east-2', profile: 'production', ...overrides.prod },
    },
  };
}

/**
 * A sheet of round, made-up prices, different per region (us-east-2 twice eu-west-1), so that a
 * total shows which region priced what.
 */
function sheet(regions: Record<string, number> = { 'eu-west-1': 1, 'us-east-2': 2 }): PriceBook {
  const keys = [...Object.values(KEYS), ...['t4g.small', 't4g.medium'].map(rdsInstanceKey)];
  return Object.fromEntries(
    Object.entries(regions).map(([region, factor]) => [
      region,
      Object.fromEntries(
        keys.map((key): [string, Price] => [
          key,
          { usd: factor * 0.01, unit: `per ${key}`, region, date: '2026-01-02', source: `test sheet ${region}` },
        ]),
      ),
    ]),
  );
}

function price(raw: unknown, options: { book?: PriceBook } = {}) {
  return priceConfiguration(parseConfig(raw), { sheet: options.book ?? sheet() }).estimate;
}

function group(estimate: ReturnType<typeof price>, prefix: string) {
  const found = estimate.groups.find((candidate) => candidate.title.startsWith(prefix));
  if (!found) throw new Error(`no group ${prefix} in ${estimate.groups.map((each) => each.title).join(', ')}`);
  return found;
}

function line(estimate: ReturnType<typeof price>, prefix: string, what: string) {
  const found = group(estimate, prefix).lines.find((candidate) => candidate.what.startsWith(what));
  if (!found) throw new Error(`no line ${what} in ${prefix}`);
  return found;
}

test('prices each environment at its own region, the pipeline account too, and totals them', () => {
  const estimate = price(fixture());
  expect(estimate.groups.map((each) => each.title)).toEqual([
    'dev (lean): account 444444444444, eu-west-1',
    'prod (production): account 555555555555, us-east-2',
    'pipeline: account 111111111111, eu-west-1',
    "pipeline: account 111111111111, us-east-2 (CDK Pipelines' support stack)",
  ]);
  // The ALB is one hour-priced line, so its price shows the region: $0.01/h in eu-west-1, $0.02/h in us-east-2.
  expect(line(estimate, 'dev', "Clair's internal").usd).toBeCloseTo(HOURS_PER_MONTH * 0.01);
  expect(line(estimate, 'prod', "Clair's internal").usd).toBeCloseTo(HOURS_PER_MONTH * 0.02);
  expect(group(estimate, 'pipeline: account 111111111111, us-east-2').total).toBeCloseTo(0.02);
  const sum = estimate.groups.reduce((total, each) => total + each.total, 0);
  expect(estimate.total).toBeCloseTo(sum);
  for (const each of estimate.groups) {
    expect(each.total).toBeCloseTo(each.lines.reduce((total, item) => total + item.usd, 0));
  }
});

test('counts the fixed items: alarms, secrets and keys; NAT gateways, endpoints, tasks and the database', () => {
  const estimate = price(fixture());
  const details = (prefix: string) =>
    Object.fromEntries(
      group(estimate, prefix).lines.map((each) => [each.what.split(' (')[0].split(',')[0], each.detail]),
    );
  expect(details('dev')).toEqual({
    "NAT gateways of Clair's VPC": '1',
    "Clair's internal Application Load Balancer": '1',
    'RDS for PostgreSQL instance': 'db.t4g.small, Single-AZ',
    'RDS storage': '20 GB, grows up to 100 GB',
    'Clair on Fargate': '1 × 0.5 vCPU, 4 GB, up to 2 when scaled out',
    'CloudWatch alarms': '18',
    "Custom metrics from Clair's and the freshness check's logs": '3',
    'Secrets Manager secrets': '2',
    'KMS keys': '11',
    'Sample app on Fargate': '1 × 0.25 vCPU, 0.5 GB, public IPv4',
    'Sample app: KMS keys': '2',
  });
  expect(details('prod')).toMatchObject({
    "NAT gateways of Clair's VPC": '2',
    'Interface endpoints': '4 × 2 zones',
    'RDS for PostgreSQL instance': 'db.t4g.medium, Multi-AZ',
    'RDS storage': '20 GB × 2, grows up to 100 GB',
    "Sample app: its VPC's NAT gateway": '1',
  });
  expect(details('pipeline: account 111111111111, eu-west-1')).toEqual({ 'KMS keys': '4' });
});

test('Multi-AZ doubles the database instance and its storage', () => {
  const single = price(fixture({ prod: { database: { multiAz: false } } }));
  const multi = price(fixture({ prod: { database: { multiAz: true } } }));
  for (const what of ['RDS for PostgreSQL instance', 'RDS storage']) {
    expect(line(multi, 'prod', what).usd).toBeCloseTo(2 * line(single, 'prod', what).usd);
  }
  expect(line(single, 'prod', 'RDS for PostgreSQL instance').usd).toBeCloseTo(HOURS_PER_MONTH * 0.02);
});

test("the sample app's switch removes its VPC's NAT gateway, its task and its keys, and only those", () => {
  const on = price(fixture());
  const off = price(fixture({ prod: { sampleApp: false } }));
  expect(group(off, 'prod').title).toBe('prod (production, no sample app): account 555555555555, us-east-2');
  const sampleAppLines = group(on, 'prod').lines.filter((each) => each.what.startsWith('Sample app'));
  expect(sampleAppLines.map((each) => each.what)).toHaveLength(3);
  expect(group(off, 'prod').lines.filter((each) => each.what.startsWith('Sample app'))).toEqual([]);
  const removed = sampleAppLines.reduce((total, each) => total + each.usd, 0);
  expect(group(off, 'prod').total).toBeCloseTo(group(on, 'prod').total - removed);
  expect(group(off, 'dev')).toEqual(group(on, 'dev'));
});

test('a Docker Hub secret the configuration names is counted in the pipeline account', () => {
  const estimate = price(fixture({ dockerHubSecretName: 'pipeline/dockerhub' }));
  expect(line(estimate, 'pipeline: account 111111111111, eu-west-1', 'Secrets Manager secret').usd).toBeCloseTo(0.01);
});

test('lists what is billed by use with its unit price, outside the total', () => {
  const estimate = price(fixture({ prod: { monitoring: { freshnessSchedule: 'rate(6 hours)' } } }));
  const usage = group(estimate, 'prod').usage;
  expect(usage.map((each) => each.what)).toEqual(
    expect.arrayContaining([
      'NAT gateway data processing',
      'Interface endpoint data processing',
      'Data transfer out to the internet',
      'CloudWatch Logs ingestion',
    ]),
  );
  const scanner = usage.find((each) => each.what.startsWith('Scanner builds'))!;
  expect(scanner.price?.usd).toBe(0.02);
  expect(scanner.driver).toContain('122 freshness checks a month (rate(6 hours))');
  expect(group(estimate, 'dev').usage.map((each) => each.what)).not.toContain('Interface endpoint data processing');
  expect(group(estimate, 'pipeline: account 111111111111, eu-west-1').usage.map((each) => each.what)).toEqual(
    expect.arrayContaining(['CodePipeline V2 action minutes (no charge per pipeline; approvals are free)']),
  );
});

test('rejects a region the sheet does not price, naming the setting, the value, the regions it has and the fix', () => {
  const error = catchCostError(() => price(fixture({ prod: { region: 'ap-southeast-2' } })));
  expect(error.problems).toEqual([
    "clairPipeline.environments.prod.region is 'ap-southeast-2', a region the price sheet cost/prices.csv does not price (it has eu-west-1, us-east-2); add the missing lines to cost/prices.csv with their source (its header says how), or run `npm run cost -- --live` to look the prices up in AWS's Price List (needs AWS credentials)",
  ]);
});

test('rejects an instance class the sheet does not price, naming the setting, the value and the classes it has', () => {
  const error = catchCostError(() => price(fixture({ dev: { database: { instanceType: 'r6g.large' } } })));
  expect(error.problems).toEqual([
    "clairPipeline.environments.dev.database.instanceType is 'r6g.large': the price sheet cost/prices.csv has no price of the RDS for PostgreSQL class db.r6g.large in eu-west-1 (it prices t4g.medium, t4g.small); add the missing lines to cost/prices.csv with their source (its header says how), or run `npm run cost -- --live` to look the prices up in AWS's Price List (needs AWS credentials)",
  ]);
  expect(error.message).toMatch(/^Cannot price this configuration:\n {2}- clairPipeline\.environments\.dev\.database/);
});

function catchCostError(work: () => unknown): CostError {
  try {
    work();
  } catch (error) {
    if (error instanceof CostError) return error;
    throw error;
  }
  throw new Error('expected a CostError');
}
