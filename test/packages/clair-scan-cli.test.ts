/**
 * `clair-scan`, the command for any CI: `remote-scan` runs the real remote-scan script with the
 * package's contract version (the stub aws stands in for AWS), and `pull-policy` refuses bad input.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../packages/clair-scan/src/cli';
import { TYPESCRIPT_LOADER } from '../helpers/command-line';
import { REPO_ROOT, runScriptAsync } from '../helpers/run-script';
import { AwsCall, STUB_PATH, stubCalls } from '../helpers/stubs';

const CLI = path.join(REPO_ROOT, 'packages', 'clair-scan', 'src', 'cli.ts');

/** The command (its package runs it compiled, lib/cli.js; here its source, compiled as the tests compile it). */
function clairScan(args: string[], env: Record<string, string>) {
  return runScriptAsync(process.execPath, ['--require', TYPESCRIPT_LOADER, CLI, ...args], {
    env: { PATH: STUB_PATH, ...env },
  });
}

const scanEnv = (dir: string) => ({
  STUB_AWS_DIR: dir,
  INVOKER_ROLE_ARN: 'arn:aws:iam::222222222222:role/clair-scanner-invoker-eu-west-1',
  SCANNER_PROJECT_NAME: 'clair-scanner',
  SCANNER_REGION: 'eu-west-1',
  IMAGE_URI: '444444444444.dkr.ecr.eu-west-1.amazonaws.com/search:1.0.0',
  POLL_INTERVAL_SECONDS: '0',
});

test('remote-scan runs the remote-scan script with its own contract version, whatever the environment says', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clair-scan-cli-'));
  const run = await clairScan(['remote-scan'], { ...scanEnv(dir), CLAIR_SCAN_CONTRACT: '99' });

  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('remote-scan: the scanner speaks contract 1, as this step does');
  expect(stubCalls<AwsCall>(dir).map((call) => call.argv[1])).toEqual([
    'assume-role',
    'batch-get-projects',
    'start-build',
    'batch-get-builds',
  ]);
});

test('remote-scan fails with exit 2 and the one line when the scanner speaks another contract', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clair-scan-cli-'));
  const run = await clairScan(['remote-scan'], { ...scanEnv(dir), STUB_AWS_SCANNER_CONTRACT: '2' });

  expect(run.status).toBe(2);
  expect(run.stderr.trim().split('\n').pop()).toMatch(
    /^remote-scan: contract mismatch: this step speaks contract 1, the scanner clair-scanner in account 222222222222, eu-west-1 speaks 2; upgrade this step/,
  );
});

test.each([
  [
    ['pull-policy', '--scanner-account', '2222', '--scanner-region', 'eu-west-1'],
    /--scanner-account must be a 12-digit/,
  ],
  [['pull-policy', '--scanner-account', '222222222222', '--scanner-region', 'Ireland'], /--scanner-region must be/],
  [['pull-policy', '--scanner-account', '222222222222'], /--scanner-region must be an AWS region, got ''/],
  [
    [
      'pull-policy',
      '--policy-file',
      '/nonexistent',
      '--scanner-account',
      '222222222222',
      '--scanner-region',
      'eu-west-1',
    ],
    /--policy-file must name a file/,
  ],
  [['pull-policy', '--force', 'yes'], /unexpected argument '--force'/],
  [['scan'], /unknown command 'scan'/],
])('rejects %j with exit 2 and the usage', (args, message) => {
  const errors: string[] = [];
  const error = jest.spyOn(console, 'error').mockImplementation((text: string) => void errors.push(text));
  try {
    expect(main(args)).toBe(2);
  } finally {
    error.mockRestore();
  }
  expect(errors.join('\n')).toMatch(message);
  expect(errors.join('\n')).toContain('usage: clair-scan remote-scan');
});
