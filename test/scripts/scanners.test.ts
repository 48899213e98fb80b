/** `npm run scanners`: the directory of scanners, read from a cdk.json through the config reader. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SCAN_CONTRACT_VERSION } from '@clair-pipeline/scan';
import { main } from '../../scripts/scanners';
import { npmScript } from '../helpers/command-line';
import { runScript } from '../helpers/run-script';

/** A configuration of this test's own: three environments, two trusted teams, one pull account. */
const FIXTURE = {
  pipeline: { account: '123456789012', region: 'eu-central-1' },
  source: {
    repository: 'example-org/platform',
    branch: 'main',
    connectionArn: 'arn:aws:codeconnections:eu-central-1:123456789012:connection/11111111-2222-3333-4444-555555555555',
  },
  environments: {
    staging: {
      profile: 'lean',
      account: '210987654321',
      region: 'eu-central-1',
      availabilityZones: ['eu-central-1a', 'eu-central-1b'],
      scan: { invokerAccounts: ['444444444444'] },
    },
    live: {
      account: '345678901234',
      region: 'us-east-1',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      scan: { invokerAccounts: ['444444444444', '666666666666'], pullAccounts: ['555555555555'] },
    },
  },
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanners-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function cdkJson(config: unknown): string {
  const file = path.join(dir, `cdk-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify({ app: 'node app.js', context: { clairPipeline: config } }));
  return file;
}

/** main() in this process, with what it printed. */
function scanners(args: string[]): { status: number; stdout: string; stderr: string } {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((text: string) => void out.push(text));
  const error = jest.spyOn(console, 'error').mockImplementation((text: string) => void err.push(text));
  try {
    const status = main(args);
    return { status, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

test('--json lists each environment with what a team needs to call its scanner', () => {
  const run = scanners(['--json', '--cdk-json', cdkJson(FIXTURE)]);

  expect(run).toMatchObject({ status: 0, stderr: '' });
  expect(JSON.parse(run.stdout)).toEqual([
    {
      environment: 'staging',
      account: '210987654321',
      region: 'eu-central-1',
      scannerProject: 'clair-scanner',
      invokerRoleArn: 'arn:aws:iam::210987654321:role/clair-scanner-invoker-eu-central-1',
      scannerRoleArn: 'arn:aws:iam::210987654321:role/clair-scanner-build-eu-central-1',
      invokerAccounts: ['123456789012', '444444444444'],
      pullAccounts: ['444444444444'],
      contractVersion: SCAN_CONTRACT_VERSION,
    },
    {
      environment: 'live',
      account: '345678901234',
      region: 'us-east-1',
      scannerProject: 'clair-scanner',
      invokerRoleArn: 'arn:aws:iam::345678901234:role/clair-scanner-invoker-us-east-1',
      scannerRoleArn: 'arn:aws:iam::345678901234:role/clair-scanner-build-us-east-1',
      invokerAccounts: ['123456789012', '444444444444', '666666666666'],
      pullAccounts: ['555555555555'],
      contractVersion: SCAN_CONTRACT_VERSION,
    },
  ]);
});

test('npm run scanners prints the same as a table, one scanner a row', () => {
  const command = npmScript('scanners');
  const run = runScript(command.cmd, [...command.args, '--cdk-json', cdkJson(FIXTURE)]);

  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const rows = run.stdout
    .trim()
    .split('\n')
    .map((line) => line.split(/\s{2,}/));
  expect(rows).toEqual([
    ['environment', 'account', 'region', 'project', 'invoker role', 'contract', 'invoker accounts', 'pull accounts'],
    [
      'staging',
      '210987654321',
      'eu-central-1',
      'clair-scanner',
      'arn:aws:iam::210987654321:role/clair-scanner-invoker-eu-central-1',
      String(SCAN_CONTRACT_VERSION),
      '123456789012,444444444444',
      '444444444444',
    ],
    [
      'live',
      '345678901234',
      'us-east-1',
      'clair-scanner',
      'arn:aws:iam::345678901234:role/clair-scanner-invoker-us-east-1',
      String(SCAN_CONTRACT_VERSION),
      '123456789012,444444444444,666666666666',
      '555555555555',
    ],
  ]);
});

test('warns about placeholder accounts on stderr, keeping stdout clean', () => {
  const config = structuredClone(FIXTURE);
  config.environments.staging.account = '111111111111';
  const run = scanners(['--json', '--cdk-json', cdkJson(config)]);

  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout)[0].account).toBe('111111111111');
  expect(run.stderr).toBe(
    'scanners: placeholder values, not deployable yet: clairPipeline.environments.staging.account=111111111111',
  );
});

test.each([
  [
    'an invalid configuration, naming the setting',
    () => {
      const config: any = structuredClone(FIXTURE);
      config.environments.live.account = '3456';
      return ['--cdk-json', cdkJson(config)];
    },
    /clairPipeline\.environments\.live\.account must be a 12-digit AWS account id, got '3456'/,
  ],
  ['a missing file', () => ['--cdk-json', path.join(dir, 'none.json')], /^scanners: cannot read .*none\.json: ENOENT/],
  [
    'a file that is not JSON',
    () => {
      const file = path.join(dir, 'broken.json');
      fs.writeFileSync(file, '{ "context": ');
      return ['--cdk-json', file];
    },
    /^scanners: cannot read .*broken\.json: /,
  ],
  ['an unknown argument', () => ['--yaml'], /^scanners: unexpected argument '--yaml'\nusage: npm run scanners/],
])('rejects %s with exit 2', (_what, args, message) => {
  const run = scanners(args());

  expect(run.status).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(message);
});
