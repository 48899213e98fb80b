import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runScripts, ScriptRun } from '../run-batch';
import { runScriptAsync, RunScriptResult } from '../run-script';
import {
  AwsCall,
  klarFixtureKey,
  PriceListProduct,
  priceListProduct,
  runWithStubs,
  STUB_PATH,
  stubCalls,
  STUBS_DIR,
  writeStubPriceList,
} from '.';
import { klarManifestUrl, klarMessages } from './klar-messages';

// The stubs stand in for klar and the AWS CLI in the gate's tests; these prove the parts of their
// contract that the gate's own tests do not reach.
const test = global.test.concurrent;

const IMAGE = 'registry.internal.example:5000/app:1';
const REPORT = {
  LayerCount: 2,
  Vulnerabilities: {
    High: [{ Name: 'CVE-1', Severity: 'High', FeatureName: 'openssl' }],
    Low: [{ Name: 'CVE-2', Severity: 'Low', FeatureName: 'zlib1g' }],
  },
};

function klarDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stub-klar-'));
  fs.writeFileSync(path.join(dir, `${klarFixtureKey(IMAGE)}.json`), JSON.stringify(REPORT));
  return dir;
}

/** Runs the stub klar as the gate does: the command itself, so its shebang's shell (dash). */
const klar = (env: Record<string, string>, args = [IMAGE]) =>
  runScriptAsync(path.join(STUBS_DIR, 'klar'), args, {
    env: { PATH: STUB_PATH, STUB_KLAR_DIR: klarDir(), CLAIR_ADDR: 'http://clair:80', ...env },
  });

test('klar prints only the severities at or above CLAIR_OUTPUT and exits 1 above CLAIR_THRESHOLD', async () => {
  const run = await klar({ CLAIR_OUTPUT: 'high' });

  expect(run.status).toBe(1);
  expect(JSON.parse(run.stdout)).toEqual({ LayerCount: 2, Vulnerabilities: { High: REPORT.Vulnerabilities.High } });
});

test('klar exits 0 when the count is within CLAIR_THRESHOLD', async () => {
  const run = await klar({ CLAIR_THRESHOLD: '2' });

  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual(REPORT);
});

test.each([
  ['no image', {}, [], 'Image name must be provided'],
  ['no CLAIR_ADDR', { CLAIR_ADDR: '' }, [IMAGE], 'Invalid options: Clair address must be provided'],
  [
    'a bad CLAIR_OUTPUT',
    { CLAIR_OUTPUT: 'Severe' },
    [IMAGE],
    'Invalid options: Clair output level Severe is not supported',
  ],
  [
    'an unknown image',
    {},
    ['registry.internal.example:5000/other:1'],
    'Can\'t pull image: Get "https://registry.internal.example:5000/v2/other/manifests/1": 404 Not Found: MANIFEST_UNKNOWN: manifest unknown',
  ],
  [
    'an unknown image on an insecure registry, by digest',
    { REGISTRY_INSECURE: 'true' },
    [`registry.internal.example:5000/team/other@sha256:${'1'.repeat(64)}`],
    klarMessages.registryError(
      `registry.internal.example:5000/team/other@sha256:${'1'.repeat(64)}`,
      '404 Not Found',
      'MANIFEST_UNKNOWN: manifest unknown',
      true,
    ),
  ],
])('klar exits 2 with its message for %s', async (_what, env, args, message) => {
  const run = await klar(env, args);

  expect(run.status).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe(`${message}\n`);
});

test('klar names the image and Clair as the real klar does when Clair is unreachable', async () => {
  const run = await klar({ STUB_KLAR_UNREACHABLE: 'true', CLAIR_ADDR: 'http://127.0.0.1:1' });

  expect(run.status).toBe(2);
  const image = 'https://registry.internal.example:5000/v2/app:1';
  expect(run.stderr).toBe(
    `Failed to analyze using API v1: push image ${image} to Clair failed: can't push layer to Clair: ` +
      'Post "http://127.0.0.1:1/v1/layers": dial tcp 127.0.0.1:1: connect: connection refused\n\n' +
      `Failed to analyze using API v3: push image ${image} to Clair failed: ` +
      'rpc error: code = Unavailable desc = all SubConns are in TransientFailure\n\n' +
      'Failed to analyze, exiting\n',
  );
});

test.each([
  ['registry.internal.example:5000/app:1', false, 'https://registry.internal.example:5000/v2/app/manifests/1'],
  [
    `127.0.0.1:5000/team/app@sha256:${'a'.repeat(64)}`,
    true,
    `http://127.0.0.1:5000/v2/team/app/manifests/sha256:${'a'.repeat(64)}`,
  ],
])('klar asks for the manifest of %s (insecure: %s) at %s', (image, insecure, url) => {
  expect(klarManifestUrl(image, insecure)).toBe(url);
});

// The patched klar's lines as it printed them against the test registry and the stand-ins
// (docs/klar-patches.md), with the port set to 5000: the builders must keep producing them.
const RECORDED = '127.0.0.1:5000/demo:1';
const D1 = `sha256:${'1'.repeat(64)}`;
const DF = 'sha256:f31db22a542704ef592873a59fa30c428de409a7d265317e57d88b261a8b7812';
test.each([
  [
    klarMessages.registryError(RECORDED, '403 Forbidden', 'DENIED: requested access to the resource is denied', true),
    'Can\'t pull image: Get "http://127.0.0.1:5000/v2/demo/manifests/1": 403 Forbidden: DENIED: requested access to the resource is denied',
  ],
  [
    klarMessages.unsupportedMediaType(RECORDED, 'application/vnd.oci.image.index.v1+json', true),
    'Can\'t pull image: Get "http://127.0.0.1:5000/v2/demo/manifests/1": unsupported manifest media type "application/vnd.oci.image.index.v1+json"',
  ],
  [
    klarMessages.schema1(RECORDED, true),
    'Can\'t pull image: Get "http://127.0.0.1:5000/v2/demo/manifests/1": Docker schema 1 manifest (application/vnd.docker.distribution.manifest.v1+prettyjws): klar analyzes Docker schema 2 and OCI image manifests only',
  ],
  [
    klarMessages.digestMismatch(`127.0.0.1:5000/demo@${D1}`, DF, true),
    `Can't pull image: Get "http://127.0.0.1:5000/v2/demo/manifests/${D1}": manifest digest ${DF} is not the requested ${D1}`,
  ],
  [
    klarMessages.realmOffHost('http://localhost:5001/latest/credentials', '127.0.0.1'),
    'Can\'t pull image: token realm "http://localhost:5001/latest/credentials" refused: not on the registry\'s host 127.0.0.1 or its documented token host',
  ],
  [
    klarMessages.realmNotHttps('http://127.0.0.1:5001/token'),
    'Can\'t pull image: token realm "http://127.0.0.1:5001/token" refused: not https (DOCKER_INSECURE or REGISTRY_INSECURE allow http)',
  ],
  [klarMessages.tokenRequest(401), "Can't pull image: Token request returned 401"],
])("klar-messages builds the patched klar's line %s", (built, recorded) => {
  expect(built).toBe(recorded);
});

test('aws fails loudly on a call it does not know, and logs it with its arguments exactly', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stub-aws-'));
  const argv = ['s3', 'ls', '--bucket', 'a\\b "c"\n\td & é $x \\n'];
  const run = await runWithStubs(path.join(STUBS_DIR, 'aws'), argv, { STUB_AWS_DIR: dir });

  expect(run.status).toBe(99);
  expect(run.stderr).toBe('stub aws: unexpected call: aws s3 ls (not stubbed)\n');
  expect(stubCalls<AwsCall>(dir)).toEqual([
    { argv, AWS_ACCESS_KEY_ID: null, AWS_SECRET_ACCESS_KEY: null, AWS_SESSION_TOKEN: null },
  ]);
});

test('aws fails loudly on an option the call does not take', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stub-aws-'));
  const run = await runWithStubs(
    path.join(STUBS_DIR, 'aws'),
    ['ecr', 'get-login-password', '--region', 'eu-west-1', '--profile', 'x'],
    { STUB_AWS_DIR: dir },
  );

  expect(run.status).toBe(99);
  expect(run.stderr).toContain('option --profile not expected');
});

test.each([
  [
    'a compact list, escapes and all',
    '[{"name":"A","value":"q\\"\\\\ \\u00e9 é","type":"PLAINTEXT"},{"name":"B","value":"","type":"PLAINTEXT"}]',
    0,
  ],
  ['an empty list', '[]', 0],
  [
    'a list as jq prints it by default',
    '[\n  {\n    "name": "A",\n    "value": "b",\n    "type": "PLAINTEXT"\n  }\n]',
    0,
  ],
  ['a list with a trailing comma', '[{"name":"A","value":"b","type":"PLAINTEXT"},]', 252],
  ['a value that is a number', '[{"name":"A","value":1,"type":"PLAINTEXT"}]', 252],
  ['a string holding a raw tab', '[{"name":"A","value":"a\tb","type":"PLAINTEXT"}]', 252],
  ['an unknown escape', '[{"name":"A","value":"\\q","type":"PLAINTEXT"}]', 252],
])('aws start-build takes %s as --environment-variables-override as the CLI does', async (_what, list, status) => {
  const run = await runWithStubs(
    path.join(STUBS_DIR, 'aws'),
    ['codebuild', 'start-build', '--project-name', 'p', '--environment-variables-override', list],
    { STUB_AWS_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'stub-aws-')) },
  );

  expect(run.status).toBe(status);
  if (status !== 0)
    expect(run.stderr).toContain("Error parsing parameter '--environment-variables-override': Invalid JSON");
});

/** A Price List product of the shape AWS publishes, with one on-demand price. */
function product(serviceCode: string, productFamily: string, attributes: Record<string, string>): PriceListProduct {
  return priceListProduct({
    serviceCode,
    productFamily,
    attributes: { servicecode: serviceCode, ...attributes },
    unit: 'Hrs',
    tiers: [{ usd: 0.0225 }],
    describedAs: attributes.usagetype ?? productFamily,
    skuSeed: `${serviceCode}${productFamily}${JSON.stringify(attributes)}`,
  });
}

const ALB = product('AWSELB', 'Load Balancer-Application', {
  regionCode: 'eu-west-1',
  usagetype: 'EU-LoadBalancerUsage',
  operation: '',
});
const ALB_OUTPOSTS = product('AWSELB', 'Load Balancer-Application', {
  regionCode: 'eu-west-1',
  usagetype: 'EU-LoadBalancerUsage',
  operation: 'LoadBalancing:Outposts',
});
const NLB = product('AWSELB', 'Load Balancer-Network', { regionCode: 'eu-west-1', usagetype: 'EU-LoadBalancerUsage' });
const ALB_OHIO = product('AWSELB', 'Load Balancer-Application', {
  regionCode: 'us-east-2',
  usagetype: 'USE2-LoadBalancerUsage',
});
const RDS = product('AmazonRDS', 'Database Instance', { regionCode: 'eu-west-1', instanceType: 'db.t4g.medium' });
// Two service codes, one the start of the other.
const S3 = product('AmazonS3', 'Storage', { regionCode: 'eu-west-1', usagetype: 'EU-TimedStorage-ByteHrs' });
const DEEP_ARCHIVE = product('AmazonS3GlacierDeepArchive', 'Storage', {
  regionCode: 'eu-west-1',
  usagetype: 'EU-TimedStorage-GDA-ByteHrs',
});
const PRODUCTS = [ALB, ALB_OUTPOSTS, NLB, ALB_OHIO, RDS, S3, DEEP_ARCHIVE];

const FILTERED: [string, string, [string, string][], PriceListProduct[]][] = [
  [
    'an attribute and productFamily',
    'AWSELB',
    [
      ['regionCode', 'eu-west-1'],
      ['productFamily', 'Load Balancer-Application'],
    ],
    [ALB, ALB_OUTPOSTS],
  ],
  ['an empty value, which only an empty attribute matches', 'AWSELB', [['operation', '']], [ALB]],
  ['the region, of a service code that starts another', 'AmazonS3', [['regionCode', 'eu-west-1']], [S3]],
  ['the start of a value', 'AmazonRDS', [['instanceType', 'db.t4g.m']], []],
  ['a value of another field', 'AWSELB', [['usagetype', 'eu-west-1']], []],
  ['the sku', 'AWSELB', [['sku', ALB.product.sku]], [ALB]],
  ['a region no product is in', 'AWSELB', [['regionCode', 'ap-south-2']], []],
];
const MALFORMED: [string, string][] = [
  ['not JSON', 'regionCode=eu-west-1'],
  ['an empty list', '[]'],
  ['a filter type other than TERM_MATCH', '[{"Type":"ANY_OF","Field":"regionCode","Value":"eu-west-1"}]'],
  ['an escape in a value', '[{"Type":"TERM_MATCH","Field":"regionCode","Value":"eu-west-1\\u0022"}]'],
  ['JSON with spaces', '[{"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"}]'],
];

/** The stub's `aws pricing get-products` over `priceList`; `filters` as cost/price-list.ts sends them, or as given. */
function getProducts(
  priceList: string,
  serviceCode: string,
  filters: string | [string, string][],
  region = 'us-east-1',
): ScriptRun {
  const text =
    typeof filters === 'string'
      ? filters
      : JSON.stringify(filters.map(([Field, Value]) => ({ Type: 'TERM_MATCH', Field, Value })));
  return {
    cmd: path.join(STUBS_DIR, 'aws'),
    args: ['pricing', 'get-products', '--region', region, '--service-code', serviceCode, '--filters', text],
    env: {
      PATH: STUB_PATH,
      STUB_AWS_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'stub-aws-')),
      STUB_AWS_PRICE_LIST: priceList,
    },
  };
}

let pricing: {
  endpoint: RunScriptResult;
  elsewhere: RunScriptResult;
  filtered: RunScriptResult[];
  malformed: RunScriptResult[];
};
/**
 * The pricing runs of the tests below, all made the first time one of them is read, from one
 * shell (runScripts): a process started from the jest worker costs more than the stub's answer.
 */
function pricingRuns(): typeof pricing {
  if (!pricing) {
    const empty = writeStubPriceList([]);
    const products = writeStubPriceList(PRODUCTS);
    const [endpoint, elsewhere, ...rest] = runScripts([
      getProducts(empty, 'AWSELB', [['regionCode', 'eu-west-1']]),
      getProducts(empty, 'AWSELB', [['regionCode', 'eu-west-1']], 'eu-west-1'),
      ...FILTERED.map(([, code, filters]) => getProducts(products, code, filters)),
      ...MALFORMED.map(([, filters]) => getProducts(products, 'AWSELB', filters)),
    ]);
    pricing = { endpoint, elsewhere, filtered: rest.slice(0, FILTERED.length), malformed: rest.slice(FILTERED.length) };
  }
  return pricing;
}

test('aws answers pricing get-products only at the Price List endpoints, as the CLI fails elsewhere', () => {
  const { endpoint, elsewhere } = pricingRuns();

  expect(endpoint.status).toBe(0);
  expect(JSON.parse(endpoint.stdout)).toEqual({ FormatVersion: 'aws_v1', PriceList: [] });
  expect(elsewhere.status).toBe(255);
  expect(elsewhere.stderr).toContain(
    'Could not connect to the endpoint URL: "https://api.pricing.eu-west-1.amazonaws.com/"',
  );
});

test.each(FILTERED.map(([what, , , found], index) => [what, found, index] as const))(
  'aws answers pricing get-products filtered on %s with the matching products',
  (_what, found, index) => {
    const run = pricingRuns().filtered[index];

    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // Compact, as the stub always printed it; each product's JSON in a string, as the API answers.
    expect(run.stdout).toBe(
      `${JSON.stringify({ FormatVersion: 'aws_v1', PriceList: found.map((p) => JSON.stringify(p)) })}\n`,
    );
  },
);

test.each(MALFORMED.map(([what], index) => [what, index] as const))(
  'aws fails loudly on pricing get-products filters of another shape: %s',
  (_what, index) => {
    const run = pricingRuns().malformed[index];

    expect(run.status).toBe(99);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'stub aws: unexpected call: aws pricing get-products (--filters must be TERM_MATCH filters as cost/price-list.ts sends them)\n',
    );
  },
);

test("the stub's price list refuses what its lines cannot hold", () => {
  expect(() => writeStubPriceList([product('AWSELB', 'Load\tBalancer', {})])).toThrow('cannot hold a tab');
  expect(() => writeStubPriceList([product('AWSELB', 'x', { 'a=b': 'c' })])).toThrow(
    `cannot hold '=' or '"' in a field name`,
  );
  expect(() => writeStubPriceList([product('AWSELB', 'x', { '"a': 'c' })])).toThrow(
    `cannot hold '=' or '"' in a field name`,
  );
});
