import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseConfig } from '../../config/config';
import { main } from '../../cost/cli';
import { awsCliIn } from '../../cost/price-list';
import { priceConfiguration } from '../../cost/price-configuration';
import { renderEstimate } from '../../cost/report';
import { npmScript } from '../helpers/command-line';
import { REPO_ROOT, RunScriptResult, runScriptAsync } from '../helpers/run-script';
import { STUB_PATH } from '../helpers/stubs';
import { writePriceList } from './price-list-fixture';

/** `npm run cost` as a user runs it, on the tests' own cdk.json files, offline and live (stub aws). */

const CONNECTION = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b';

function config(dev: object = {}): Record<string, unknown> {
  return {
    pipeline: { account: '111111111111', region: 'eu-west-1' },
    source: { repository: 'example-org/clair-pipeline', branch: 'main', connectionArn: CONNECTION },
    environments: {
      dev: { account: '444444444444', region: 'eu-west-1', profile: 'lean', ...dev },
      prod: { account: '555555555555', region: 'us-east-2', profile: 'production' },
    },
  };
}

/** A cdk.json holding `clairPipeline`, in a directory of its own. */
function cdkJson(clairPipeline: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cost-cli-')), 'cdk.json');
  fs.writeFileSync(file, JSON.stringify({ app: 'unused', context: { clairPipeline } }));
  return file;
}

function cost(args: string[], env: Record<string, string> = {}): Promise<RunScriptResult> {
  const command = npmScript('cost');
  return runScriptAsync(command.cmd, [...command.args, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: '/usr/bin:/bin', ...env },
  });
}

/** The stub aws with the Price List of eu-west-1 and us-east-2 (twice eu-west-1's prices). */
function live(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: STUB_PATH,
    STUB_AWS_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'stub-aws-')),
    STUB_AWS_PRICE_LIST: writePriceList({ 'eu-west-1': 1, 'us-east-2': 2 }),
    ...extra,
  };
}

/**
 * Runs the command in this process (each child process costs about half a second of CPU; the one
 * run of the command line `npm run cost` runs proves it): its exit code and what it printed. `env` is
 * the environment of the AWS CLI it runs.
 */
function inProcess(args: string[], env?: Record<string, string>): RunScriptResult {
  const printed = { stdout: [] as string[], stderr: [] as string[] };
  const log = jest.spyOn(console, 'log').mockImplementation((text: string) => printed.stdout.push(`${text}\n`));
  const error = jest.spyOn(console, 'error').mockImplementation((text: string) => printed.stderr.push(`${text}\n`));
  try {
    const status = env ? main(args, awsCliIn({ TMPDIR: os.tmpdir(), ...env })) : main(args);
    return { status, stdout: printed.stdout.join(''), stderr: printed.stderr.join('') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const files = {
  ok: cdkJson(config()),
  r6g: cdkJson(config({ database: { instanceType: 'r6g.large' } })),
  region: cdkJson(config({ region: 'ap-southeast-2' })),
  invalid: cdkJson(config({ account: '12345' })),
};
let offline: RunScriptResult;
beforeAll(async () => {
  offline = await cost(['--cdk-json', files.ok]);
});

/** Every failure is a message, never a stack trace. */
function expectCleanFailure(run: RunScriptResult, status: number): void {
  expect(run.status).toBe(status);
  expect(run.stdout).toBe('');
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

test('prints what the configuration costs: each environment, the pipeline account, a total', () => {
  const { estimate, origin } = priceConfiguration(parseConfig(config()));
  expect(offline.stderr).toBe('');
  expect(offline.status).toBe(0);
  expect(offline.stdout).toBe(`# What the configuration in ${files.ok} costs\n\n${renderEstimate(estimate, origin)}\n`);
  expect(offline.stdout).toMatch(/^\| \*\*total\*\* \| \*\*\$[\d,]+\.\d\d\*\* \|$/m);
});

test('fails cleanly on an instance class the sheet does not price, naming the setting, value and fix', () => {
  const r6g = inProcess(['--cdk-json', files.r6g]);
  expectCleanFailure(r6g, 1);
  expect(r6g.stderr).toMatch(
    /^cost: Cannot price this configuration:\n {2}- clairPipeline\.environments\.dev\.database\.instanceType is 'r6g\.large': the price sheet cost\/prices\.csv has no price of the RDS for PostgreSQL class db\.r6g\.large in eu-west-1 \(it prices t4g\.medium, t4g\.micro, t4g\.small\); add the missing lines to cost\/prices\.csv .* or run `npm run cost -- --live` .*\n$/,
  );
});

test('fails on a region the sheet does not price, naming the regions it has and the fix', () => {
  const run = inProcess(['--cdk-json', files.region]);
  expect(run.status).toBe(1);
  expect(run.stderr).toContain(
    "clairPipeline.environments.dev.region is 'ap-southeast-2', a region the price sheet cost/prices.csv does not price (it has eu-central-1, eu-west-1, us-east-1, us-east-2, us-west-2); add the missing lines",
  );
});

test('fails on an invalid configuration, with the config reader message', () => {
  const run = inProcess(['--cdk-json', files.invalid]);
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(
    /^cost: Invalid clair-pipeline configuration:\n {2}- clairPipeline\.environments\.dev\.account must be a 12-digit AWS account id, got '12345'/,
  );
});

test('fails on a cdk.json it cannot read', () => {
  const run = inProcess(['--cdk-json', path.join(os.tmpdir(), 'no-such-cdk.json')]);
  expect(run).toEqual({
    status: 1,
    stdout: '',
    stderr: expect.stringMatching(/^cost: cannot read .*no-such-cdk\.json: ENOENT/),
  });
});

test('rejects an option it does not know, with its usage', () => {
  expect(inProcess(['--cdk-json'])).toEqual({
    status: 2,
    stdout: '',
    stderr:
      "cost: unknown option '--cdk-json'\nusage: npm run cost [-- --live] [-- --cdk-json FILE] | npm run cost -- --write-docs | npm run cost -- --update-sheet\n",
  });
});

test('--live prices the fixed items from the Price List API, naming each SKU', () => {
  const run = inProcess(['--live', '--cdk-json', files.ok], live());
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  // The stub's eu-west-1 load balancer is $0.02 an hour; us-east-2 twice that.
  expect(run.stdout).toContain("| Clair's internal Application Load Balancer | 1 | $14.60 |");
  expect(run.stdout).toContain("| Clair's internal Application Load Balancer | 1 | $29.20 |");
  expect(run.stdout).toMatch(/^prices from AWS's Price List API for the fixed items and the price sheet/m);
  expect(run.stdout).toMatch(
    /^\| us-east-2 \| `alb-hour` \| \$0\.04 per Application Load Balancer-hour \| 2026-11-20 \| AWS Price List API: AWSELB SKU [0-9A-Z]{16} \(USE2-LoadBalancerUsage\), published 2026-11-20T15:30:12Z \|$/m,
  );
  expect(run.stdout).not.toMatch(/^\|[^|]+\|[^|]+\|[^|]+\|[^|]+\| (page|recalled)/m);
});

test('--live fails cleanly when the AWS CLI cannot answer, with its error line', () => {
  const run = inProcess(['--live', '--cdk-json', files.ok], live({ STUB_AWS_FAIL: 'pricing:get-products' }));
  expectCleanFailure(run, 1);
  expect(run.stderr).toMatch(
    /^cost: aws pricing get-products failed: An error occurred \(AccessDeniedException\) when calling the get-products operation: .*not authorized to perform: pricing:get-products\n$/,
  );
});
