import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { klarFixtureKey, runWithStubs, STUBS_DIR } from '.';

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

const klar = (env: Record<string, string>, args = [IMAGE]) =>
  runWithStubs(path.join(STUBS_DIR, 'klar'), args, { STUB_KLAR_DIR: klarDir(), CLAIR_ADDR: 'http://clair:80', ...env });

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
    "Can't pull image: Get https://registry.internal.example:5000/v2/other/manifests/1: manifest unknown",
  ],
])('klar exits 2 with its message for %s', async (_what, env, args, message) => {
  const run = await klar(env, args);

  expect(run.status).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe(`${message}\n`);
});

test('aws fails loudly on a call it does not know', async () => {
  const run = await runWithStubs(path.join(STUBS_DIR, 'aws'), ['s3', 'ls'], {
    STUB_AWS_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'stub-aws-')),
  });

  expect(run.status).toBe(99);
  expect(run.stderr).toBe('stub aws: unexpected call: aws s3 ls (not stubbed)\n');
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

test('aws answers pricing get-products only at the Price List endpoints, as the CLI fails elsewhere', async () => {
  const priceList = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'price-list-')), 'products.json');
  fs.writeFileSync(priceList, '[]');
  const filters = '[{"Type":"TERM_MATCH","Field":"regionCode","Value":"eu-west-1"}]';
  const call = (region: string) =>
    runWithStubs(
      path.join(STUBS_DIR, 'aws'),
      ['pricing', 'get-products', '--region', region, '--service-code', 'AWSELB', '--filters', filters],
      { STUB_AWS_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'stub-aws-')), STUB_AWS_PRICE_LIST: priceList },
    );

  const [endpoint, elsewhere] = await Promise.all([call('us-east-1'), call('eu-west-1')]);
  expect(endpoint.status).toBe(0);
  expect(JSON.parse(endpoint.stdout)).toEqual({ FormatVersion: 'aws_v1', PriceList: [] });
  expect(elsewhere.status).toBe(255);
  expect(elsewhere.stderr).toContain(
    'Could not connect to the endpoint URL: "https://api.pricing.eu-west-1.amazonaws.com/"',
  );
});
