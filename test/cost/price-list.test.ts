import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseConfig } from '../../config/config';
import { KEYS, rdsInstanceKey } from '../../cost/items';
import { priceConfiguration } from '../../cost/price-configuration';
import { readPriceSheet } from '../../cost/price-sheet';
import { refreshPriceSheet } from '../../cost/refresh-sheet';
import { AwsRunner, lookUpPrices, PriceListError } from '../../cost/price-list';
import { AwsCall, awsOption, STUB_PATH, stubCalls } from '../helpers/stubs';
import { priceListProduct, writePriceList } from './price-list-fixture';

/**
 * The live lookup, against the stub aws: the answers are the Price List API's real shape (each
 * product a JSON document inside a string), filtered by the stub as the API filters.
 */
function stubRunner(priceList: string, extraEnv: Record<string, string> = {}): { run: AwsRunner; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stub-aws-'));
  const run: AwsRunner = (args) => {
    const result = spawnSync('aws', args, {
      encoding: 'utf8',
      env: { PATH: STUB_PATH, TMPDIR: os.tmpdir(), STUB_AWS_DIR: dir, STUB_AWS_PRICE_LIST: priceList, ...extraEnv },
    });
    if (result.status !== 0) throw new PriceListError(result.stderr.trim());
    return result.stdout;
  };
  return { run, dir };
}

const needs = (region: string, keys: string[]) => keys.map((key) => ({ region, key }));

test("finds each fixed item's on-demand price of the region, with its SKU and publication date", () => {
  const { run, dir } = stubRunner(writePriceList({ 'eu-west-1': 1, 'us-east-2': 2 }));
  const keys = [
    KEYS.fargateVcpuHour,
    KEYS.fargateGbHour,
    KEYS.natGatewayHour,
    KEYS.publicIpv4Hour,
    KEYS.interfaceEndpointHour,
    KEYS.albHour,
    KEYS.rdsGp3GbMonth,
    KEYS.kmsKeyMonth,
    KEYS.secretMonth,
    KEYS.alarmMetricMonth,
    KEYS.customMetricMonth,
    rdsInstanceKey('t4g.medium'),
  ];
  const book = lookUpPrices([...needs('us-east-2', keys), ...needs('us-east-2', [KEYS.albHour])], run);
  const usd = Object.fromEntries(Object.entries(book['us-east-2']).map(([key, price]) => [key, price.usd]));
  // us-east-2 at twice the fixture's base prices; decoys (ARM, Windows, Multi-AZ, idle addresses,
  // bytes, LCUs, network load balancers, high-resolution alarms, the second metric tier) not taken.
  expect(usd).toEqual({
    [KEYS.fargateVcpuHour]: 0.08,
    [KEYS.fargateGbHour]: 0.008,
    [KEYS.natGatewayHour]: 0.1,
    [KEYS.publicIpv4Hour]: 0.01,
    [KEYS.interfaceEndpointHour]: 0.02,
    [KEYS.albHour]: 0.04,
    [KEYS.rdsGp3GbMonth]: 0.2,
    [KEYS.kmsKeyMonth]: 2,
    [KEYS.secretMonth]: 0.8,
    [KEYS.alarmMetricMonth]: 0.2,
    [KEYS.customMetricMonth]: 0.6,
    [rdsInstanceKey('t4g.medium')]: 0.12,
  });
  expect(book['us-east-2'][KEYS.natGatewayHour]).toEqual({
    usd: 0.1,
    unit: 'per NAT gateway-hour',
    region: 'us-east-2',
    date: '2026-11-20',
    source: expect.stringMatching(
      /^AWS Price List API: AmazonEC2 SKU [0-9A-Z]{16} \(USE2-NatGateway-Hours\), published 2026-11-20T15:30:12Z$/,
    ),
  });
  // One call per key and region (a repeated need is not asked again), at the us-east-1 endpoint,
  // filtered on the region.
  const calls = stubCalls<AwsCall>(dir);
  expect(calls).toHaveLength(keys.length);
  for (const call of calls) {
    expect(call.argv.slice(0, 2)).toEqual(['pricing', 'get-products']);
    expect(awsOption(call, 'region')).toBe('us-east-1');
    expect(JSON.parse(awsOption(call, 'filters')!)).toContainEqual({
      Type: 'TERM_MATCH',
      Field: 'regionCode',
      Value: 'us-east-2',
    });
  }
});

test('leaves out what the Price List has no product for, so the estimate names the setting', () => {
  const { run } = stubRunner(writePriceList({ 'eu-west-1': 1 }));
  const book = lookUpPrices(needs('eu-west-1', [rdsInstanceKey('x9.large'), KEYS.albHour]), run);
  expect(Object.keys(book['eu-west-1'])).toEqual([KEYS.albHour]);
  expect(lookUpPrices(needs('us-east-2', [KEYS.albHour]), run)).toEqual({});
});

test('the estimate names the setting whose value the Price List has no product for', () => {
  const { run } = stubRunner(writePriceList({ 'eu-west-1': 1 }));
  const raw = {
    pipeline: { account: '111111111111', region: 'eu-west-1' },
    source: {
      repository: 'example-org/clair-pipeline',
      branch: 'main',
      connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b',
    },
    environments: { dev: { account: '444444444444', region: 'eu-west-1', database: { instanceType: 'r6g.large' } } },
  };
  expect(() => priceConfiguration(parseConfig(raw), { live: true, run })).toThrow(
    "Cannot price this configuration:\n  - clairPipeline.environments.dev.database.instanceType is 'r6g.large': AWS's Price List has no price of the RDS for PostgreSQL class db.r6g.large in eu-west-1; the live lookup found no on-demand product for it: check the value, or run without --live to price from the sheet",
  );
});

test('rejects a query that matches products of different prices', () => {
  const { run } = stubRunner(
    writePriceList({ 'eu-west-1': 1 }, [
      priceListProduct('eu-west-1', 'AWSELB', 'Load Balancer-Application', 'LoadBalancerUsage', 'Hrs', [{ usd: 0.5 }], {
        operation: 'LoadBalancing:Outposts',
      }),
    ]),
  );
  expect(() => lookUpPrices(needs('eu-west-1', [KEYS.albHour]), run)).toThrow(
    /^the Price List has 2 different prices for 'alb-hour' in eu-west-1 \([0-9A-Z]+: \$0\.02, [0-9A-Z]+: \$0\.5\); narrow its query in cost\/price-list\.ts$/,
  );
});

test('rejects a key it has no query for', () => {
  const { run } = stubRunner(writePriceList({ 'eu-west-1': 1 }));
  expect(() => lookUpPrices(needs('eu-west-1', [KEYS.dataTransferOutGb]), run)).toThrow(
    "the live lookup does not know how to find the price 'data-transfer-out-gb'",
  );
});

test('--update-sheet rewrites the fixed prices of the sheet from the Price List, and leaves the rest', () => {
  const { run } = stubRunner(writePriceList({ 'eu-west-1': 1 }));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sheet-')), 'prices.csv');
  const lines = [
    '# where each price comes from',
    'key,region,usd,unit,date,source',
    'alb-hour,eu-west-1,0.0252,per Application Load Balancer-hour,2026-12-04,recalled (not verified here): https://aws.amazon.com/elasticloadbalancing/pricing/',
    'rds-postgres-db.r6g.large-hour,eu-west-1,0.26,per Single-AZ instance-hour,2026-12-04,recalled (not verified here): https://aws.amazon.com/rds/postgresql/pricing/',
    'nat-gateway-gb,eu-west-1,0.048,per GB processed by a NAT gateway,2026-12-04,page: https://example.com/nat',
    '',
  ];
  fs.writeFileSync(file, lines.join('\n'));
  expect(refreshPriceSheet(file, run)).toEqual({
    updated: ['eu-west-1 alb-hour'],
    notFound: ['eu-west-1 rds-postgres-db.r6g.large-hour'],
  });
  const rewritten = fs.readFileSync(file, 'utf8').split('\n');
  expect(rewritten.filter((_, index) => index !== 2)).toEqual(lines.filter((_, index) => index !== 2));
  expect(rewritten[2]).toMatch(
    /^alb-hour,eu-west-1,0\.02,per Application Load Balancer-hour,2026-11-20,AWS Price List API: AWSELB SKU [0-9A-Z]{16} \(EU-LoadBalancerUsage\), published 2026-11-20T15:30:12Z$/,
  );
  expect(readPriceSheet(file)['eu-west-1']['alb-hour'].usd).toBe(0.02);
});
