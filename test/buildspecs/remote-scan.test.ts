import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CONTRACT_VARIABLE, REMOTE_SCAN_SCRIPT_PATH, SCAN_CONTRACT_VERSION } from '@clair-pipeline/scan';
import { RunScriptResult } from '../helpers/run-script';
import { AwsCall, awsOption, runWithStubs, stubCalls } from '../helpers/stubs';

// Each test runs the script (several short processes) and waits on it: run them concurrently.
const test = global.test.concurrent;

const ROLE_ARN = 'arn:aws:iam::222222222222:role/clair-scanner-invoker-eu-central-1';
const PROJECT = 'clair-scanner';
const IMAGE =
  '222222222222.dkr.ecr.eu-central-1.amazonaws.com/cdk-hnb659fds-container-assets-222222222222-eu-central-1:abc';
const BUILD_ID = `${PROJECT}:0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`;
// The pipeline's own (CodeBuild) credentials, which only sts may see.
const CALLER_KEY = 'AKIACALLERPIPELINE01';

interface RemoteRun extends RunScriptResult {
  readonly calls: AwsCall[];
  /** The operations called, as `service operation`. */
  readonly operations: string[];
}

async function remoteScan(env: Record<string, string | undefined> = {}): Promise<RemoteRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'remote-scan-'));
  const result = await runWithStubs(REMOTE_SCAN_SCRIPT_PATH, [], {
    STUB_AWS_DIR: dir,
    AWS_ACCESS_KEY_ID: CALLER_KEY,
    AWS_SECRET_ACCESS_KEY: 'caller-secret',
    INVOKER_ROLE_ARN: ROLE_ARN,
    SCANNER_PROJECT_NAME: PROJECT,
    SCANNER_REGION: 'eu-central-1',
    IMAGE_URI: IMAGE,
    POLL_INTERVAL_SECONDS: '0',
    [CONTRACT_VARIABLE]: String(SCAN_CONTRACT_VERSION),
    ...env,
  });
  const calls = stubCalls<AwsCall>(dir);
  return { ...result, calls, operations: calls.map((c) => `${c.argv[0]} ${c.argv[1]}`) };
}

const ALLOWLIST = Buffer.from('allow: []\n').toString('base64');

/**
 * The passing scan that several tests read (each asserts its own part): two status reads find the
 * build in progress, the third SUCCEEDED; the scanner speaks this step's contract; some policy
 * variables are set, one of them empty, and CLAIR_ADDR (not one of them). Run once.
 */
let passingRun: Promise<RemoteRun> | undefined;
function passingScan(): Promise<RemoteRun> {
  passingRun ??= remoteScan({
    STUB_AWS_SCANNER_CONTRACT: String(SCAN_CONTRACT_VERSION),
    STUB_AWS_BUILD_STATUSES: 'IN_PROGRESS IN_PROGRESS SUCCEEDED',
    SEVERITY: 'Critical',
    ALLOWLIST_B64: ALLOWLIST,
    COUNT_UNKNOWN: '',
    REQUIRE_COVERAGE: 'false',
    CLAIR_ADDR: 'http://elsewhere:80',
  });
  return passingRun;
}

function overridesOf(run: RemoteRun): Array<{ name: string; value: string; type: string }> {
  const start = run.calls.find((c) => c.argv[1] === 'start-build');
  return JSON.parse(awsOption(start!, 'environment-variables-override') ?? 'null');
}

function lastErrorLine(run: RunScriptResult): string {
  const lines = run.stderr.trim().split('\n');
  return lines[lines.length - 1];
}

test('passes when the remote build succeeds, printing its id, status and log location', async () => {
  const run = await passingScan();

  expect(run.status).toBe(0);
  expect(run.operations).toEqual([
    'sts assume-role',
    'codebuild batch-get-projects',
    'codebuild start-build',
    'codebuild batch-get-builds',
    'codebuild batch-get-builds',
    'codebuild batch-get-builds',
  ]);
  expect(run.stdout).toContain(`remote-scan: scanning ${IMAGE}`);
  expect(run.stdout).toContain(`remote-scan: remote build ${BUILD_ID}: SUCCEEDED`);
  expect(run.stdout).toContain(
    'remote-scan: logs: https://console.aws.amazon.com/cloudwatch/home?region=eu-central-1#logsV2:',
  );
  expect(run.stdout).toContain(
    'remote-scan: log group /aws/codebuild/clair-scanner, stream 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
  );
  expect(run.stdout).toMatch(/scan passed\n$/);
});

test('assumes the invoker role with its own credentials and uses the session only for CodeBuild', async () => {
  const run = await passingScan();

  expect(run.status).toBe(0);
  const [assume, ...codebuild] = run.calls;
  expect(assume.argv).toEqual(expect.arrayContaining(['--role-arn', ROLE_ARN, '--region', 'eu-central-1']));
  expect(awsOption(assume, 'role-session-name')).toMatch(/^clair-scan-\d+$/);
  expect(assume.AWS_ACCESS_KEY_ID).toBe(CALLER_KEY);
  for (const call of codebuild) {
    expect(call).toMatchObject({
      AWS_ACCESS_KEY_ID: 'ASIASTUBINVOKER1',
      AWS_SECRET_ACCESS_KEY: 'stub-secret-access-key-1-never-print',
      AWS_SESSION_TOKEN: 'stub-session-token-1-never-print',
    });
    expect(awsOption(call, 'region')).toBe('eu-central-1');
  }
  const printed = run.stdout + run.stderr;
  expect(printed).not.toContain('never-print');
  expect(printed).not.toContain('caller-secret');
});

test('renews the invoker session when it is due', async () => {
  const run = await remoteScan({ ROLE_SESSION_RENEW_SECONDS: '0', STUB_AWS_BUILD_STATUSES: 'IN_PROGRESS SUCCEEDED' });

  expect(run.status).toBe(0);
  expect(run.operations).toEqual([
    'sts assume-role',
    'codebuild batch-get-projects',
    'codebuild start-build',
    'sts assume-role',
    'codebuild batch-get-builds',
    'sts assume-role',
    'codebuild batch-get-builds',
  ]);
  expect(run.calls.filter((c) => c.argv[1] === 'assume-role').every((c) => c.AWS_ACCESS_KEY_ID === CALLER_KEY)).toBe(
    true,
  );
  expect(run.calls[6].AWS_ACCESS_KEY_ID).toBe('ASIASTUBINVOKER3');
});

test('stops the remote build and fails when the invoker session cannot be renewed', async () => {
  const run = await remoteScan({
    ROLE_SESSION_RENEW_SECONDS: '0',
    STUB_AWS_FAIL: 'sts:assume-role@2',
    STUB_AWS_BUILD_STATUSES: 'IN_PROGRESS',
  });

  expect(run.status).toBe(3);
  expect(run.operations).toEqual([
    'sts assume-role',
    'codebuild batch-get-projects',
    'codebuild start-build',
    'sts assume-role',
    'codebuild stop-build',
  ]);
  expect(run.calls[4].AWS_ACCESS_KEY_ID).toBe('ASIASTUBINVOKER1');
  expect(lastErrorLine(run)).toMatch(/^remote-scan: cannot renew the session of .*; stopped remote build /);
});

test('passes IMAGE_URI and only the policy variables that are set as build overrides', async () => {
  const run = await passingScan();

  expect(run.status).toBe(0);
  expect(awsOption(run.calls[2], 'project-name')).toBe(PROJECT);
  expect(overridesOf(run)).toEqual([
    { name: 'ALLOWLIST_B64', value: ALLOWLIST, type: 'PLAINTEXT' },
    { name: 'IMAGE_URI', value: IMAGE, type: 'PLAINTEXT' },
    { name: 'REQUIRE_COVERAGE', value: 'false', type: 'PLAINTEXT' },
    { name: 'SEVERITY', value: 'Critical', type: 'PLAINTEXT' },
  ]);
  expect(run.stdout).toContain('overrides: ALLOWLIST_B64, IMAGE_URI, REQUIRE_COVERAGE, SEVERITY');
});

test('checks readiness without an image when READINESS_ONLY=true', async () => {
  const run = await remoteScan({ READINESS_ONLY: 'true', IMAGE_URI: undefined });

  expect(run.status).toBe(0);
  expect(overridesOf(run)).toEqual([{ name: 'READINESS_ONLY', value: 'true', type: 'PLAINTEXT' }]);
});

test('fails when the remote build fails, showing why', async () => {
  const run = await remoteScan({ STUB_AWS_BUILD_STATUSES: 'IN_PROGRESS FAILED' });

  expect(run.status).toBe(1);
  expect(run.stdout).toContain(`remote-scan: remote build ${BUILD_ID}: FAILED`);
  expect(run.stdout).toContain(
    'remote-scan: phase BUILD FAILED: Error while executing command: scan-image. Reason: exit status 1',
  );
  expect(run.stdout).toContain('remote-scan: scan-image exit status 1: vulnerabilities counted over the limit');
  expect(run.stdout).toContain('remote-scan: logs: https://');
  expect(lastErrorLine(run)).toBe(
    `remote-scan: remote build ${BUILD_ID} ended FAILED: the scan did not pass (its log above says why)`,
  );
});

test.each([
  ['7', 'not covered: Clair could not read the image'],
  ['4', 'registry credentials could not be fetched or were refused'],
  ['70', 'internal error in scan-image'],
  ['9', 'an exit status scan-image does not define'],
])('fails when scan-image exits %s, saying what that means', async (code, words) => {
  const run = await remoteScan({ STUB_AWS_BUILD_STATUSES: 'FAILED', STUB_AWS_BUILD_EXIT_STATUS: code });

  expect(run.status).toBe(1);
  expect(run.stdout).toContain(`remote-scan: scan-image exit status ${code}: ${words}`);
});

test.each(['FAULT', 'STOPPED', 'TIMED_OUT', 'SOME_NEW_STATUS'])(
  'fails when the remote build ends %s',
  async (status) => {
    const run = await remoteScan({ STUB_AWS_BUILD_STATUSES: status });

    expect(run.status).toBe(1);
    expect(lastErrorLine(run)).toContain(`ended ${status}`);
  },
);

test('stops the remote build and fails when it does not finish within the bound', async () => {
  const run = await remoteScan({ STUB_AWS_BUILD_STATUSES: 'IN_PROGRESS', SCAN_TIMEOUT_SECONDS: '0' });

  expect(run.status).toBe(5);
  expect(run.operations.slice(-1)).toEqual(['codebuild stop-build']);
  expect(awsOption(run.calls[run.calls.length - 1], 'id')).toBe(BUILD_ID);
  expect(lastErrorLine(run)).toBe(
    `remote-scan: remote build ${BUILD_ID} did not finish within SCAN_TIMEOUT_SECONDS=0; stopped it`,
  );
});

test('retries a status read that fails', async () => {
  const run = await remoteScan({ STUB_AWS_BUILD_STATUSES: 'THROTTLED SUCCEEDED' });

  expect(run.status).toBe(0);
  expect(run.stderr).toContain(`remote-scan: could not read the status of ${BUILD_ID}; retrying`);
});

test('fails when the build cannot be started', async () => {
  const run = await remoteScan({ STUB_AWS_FAIL: 'codebuild:start-build', START_RETRY_SECONDS: '0' });

  // Access denied is not retried.
  expect(run.status).toBe(4);
  expect(run.operations).toEqual(['sts assume-role', 'codebuild batch-get-projects', 'codebuild start-build']);
  expect(lastErrorLine(run)).toBe(
    'remote-scan: cannot start a build of clair-scanner in eu-central-1 (see the aws error above)',
  );
});

test("retries start-build, each wait twice the last, while throttled or at the account's build limit", async () => {
  const run = await remoteScan({
    STUB_AWS_START_BUILD_ERRORS: 'ThrottlingException AccountLimitExceededException',
    START_RETRY_SECONDS: '1',
  });

  expect(run.status).toBe(0);
  expect(run.operations).toEqual([
    'sts assume-role',
    'codebuild batch-get-projects',
    'codebuild start-build',
    'codebuild start-build',
    'codebuild start-build',
    'codebuild batch-get-builds',
  ]);
  expect(run.stderr).toContain('remote-scan: start-build refused (ThrottlingException); trying again in 1 s\n');
  expect(run.stderr).toContain(
    'remote-scan: start-build refused (AccountLimitExceededException); trying again in 2 s\n',
  );
  expect(run.stdout).toMatch(/scan passed\n$/);
});

test('fails when start-build is still refused when the bound runs out', async () => {
  const run = await remoteScan({
    STUB_AWS_START_BUILD_ERRORS: 'AccountLimitExceededException',
    SCAN_TIMEOUT_SECONDS: '0',
  });

  expect(run.status).toBe(4);
  expect(run.operations).toEqual(['sts assume-role', 'codebuild batch-get-projects', 'codebuild start-build']);
  expect(lastErrorLine(run)).toBe(
    'remote-scan: cannot start a build of clair-scanner in eu-central-1: still refused (AccountLimitExceededException) when SCAN_TIMEOUT_SECONDS=0 ran out',
  );
});

test('never waits past the bound between start-build attempts', async () => {
  const run = await remoteScan({
    STUB_AWS_START_BUILD_ERRORS: 'ThrottlingException '.repeat(10),
    START_RETRY_SECONDS: '60',
    SCAN_TIMEOUT_SECONDS: '2',
  });

  expect(run.status).toBe(4);
  const waits = [...run.stderr.matchAll(/trying again in (\d+) s/g)].map((m) => Number(m[1]));
  expect(waits.length).toBeGreaterThan(0);
  for (const wait of waits) expect(wait).toBeLessThanOrEqual(2);
  expect(lastErrorLine(run)).toMatch(/still refused \(ThrottlingException\) when SCAN_TIMEOUT_SECONDS=2 ran out$/);
});

test('renews the invoker session between start-build attempts, and fails if it cannot', async () => {
  const run = await remoteScan({
    STUB_AWS_START_BUILD_ERRORS: 'ThrottlingException',
    START_RETRY_SECONDS: '0',
    ROLE_SESSION_RENEW_SECONDS: '0',
    STUB_AWS_FAIL: 'sts:assume-role@2',
  });

  expect(run.status).toBe(3);
  expect(run.operations).toEqual([
    'sts assume-role',
    'codebuild batch-get-projects',
    'codebuild start-build',
    'sts assume-role',
  ]);
  expect(lastErrorLine(run)).toBe(
    `remote-scan: cannot renew the session of ${ROLE_ARN} (see the aws error above); no build was started`,
  );
});

test('rejects START_RETRY_SECONDS that is not a number of seconds', async () => {
  const run = await remoteScan({ START_RETRY_SECONDS: '5m' });

  expect(run.status).toBe(2);
  expect(lastErrorLine(run)).toMatch(/START_RETRY_SECONDS must be a whole number of seconds/);
  expect(run.calls).toHaveLength(0);
});

test('fails when the invoker role cannot be assumed', async () => {
  const run = await remoteScan({ STUB_AWS_FAIL: 'sts:assume-role' });

  expect(run.status).toBe(3);
  expect(run.operations).toEqual(['sts assume-role']);
  expect(run.stderr).toContain('AccessDeniedException');
  expect(lastErrorLine(run)).toBe(`remote-scan: cannot assume INVOKER_ROLE_ARN ${ROLE_ARN} (see the aws error above)`);
});

test.each([
  ['a missing INVOKER_ROLE_ARN', { INVOKER_ROLE_ARN: undefined }, /INVOKER_ROLE_ARN must be an IAM role ARN/],
  [
    'a user ARN as INVOKER_ROLE_ARN',
    { INVOKER_ROLE_ARN: 'arn:aws:iam::222222222222:user/bob' },
    /INVOKER_ROLE_ARN must be an IAM role ARN/,
  ],
  [
    'a bad SCANNER_PROJECT_NAME',
    { SCANNER_PROJECT_NAME: 'clair scanner' },
    /SCANNER_PROJECT_NAME must be a CodeBuild project name/,
  ],
  [
    'a role name longer than 512 characters',
    { INVOKER_ROLE_ARN: `arn:aws:iam::222222222222:role/${'r'.repeat(513)}` },
    /INVOKER_ROLE_ARN must be an IAM role ARN/,
  ],
  [
    'a SCANNER_PROJECT_NAME longer than 255 characters',
    { SCANNER_PROJECT_NAME: 'c'.repeat(256) },
    /SCANNER_PROJECT_NAME must be a CodeBuild project name/,
  ],
  ['a bad SCANNER_REGION', { SCANNER_REGION: 'Frankfurt' }, /SCANNER_REGION must be an AWS region/],
  ['a missing IMAGE_URI', { IMAGE_URI: undefined }, /IMAGE_URI is required/],
  ['an IMAGE_URI with spaces', { IMAGE_URI: 'registry/app:1 --x' }, /IMAGE_URI is required/],
  ['an IMAGE_URI of two characters', { IMAGE_URI: 'ab' }, /IMAGE_URI is required/],
  ['an IMAGE_URI longer than 1024 characters', { IMAGE_URI: `registry/${'a'.repeat(1016)}` }, /IMAGE_URI is required/],
  ['READINESS_ONLY=yes', { READINESS_ONLY: 'yes' }, /READINESS_ONLY must be true or false/],
  ['SCAN_TIMEOUT_SECONDS=1h', { SCAN_TIMEOUT_SECONDS: '1h' }, /SCAN_TIMEOUT_SECONDS must be a whole number of seconds/],
])('rejects %s before calling AWS', async (_what, env, message) => {
  const run = await remoteScan(env);

  expect(run.status).toBe(2);
  expect(lastErrorLine(run)).toMatch(message);
  expect(run.calls).toHaveLength(0);
});

describe('the contract between step and scanner', () => {
  const ours = SCAN_CONTRACT_VERSION;
  const where = 'clair-scanner in account 222222222222, eu-central-1';

  test("reads the scanner's contract version as the invoker, and scans when it is the step's", async () => {
    const run = await passingScan();

    expect(run.status).toBe(0);
    const read = run.calls.find((call) => call.argv[1] === 'batch-get-projects')!;
    expect(awsOption(read, 'names')).toBe(PROJECT);
    expect(read.AWS_ACCESS_KEY_ID).toBe('ASIASTUBINVOKER1');
    expect(run.stdout).toContain(`remote-scan: the scanner speaks contract ${ours}, as this step does`);
  });

  test.each([
    [
      'an older scanner',
      { STUB_AWS_SCANNER_CONTRACT: String(ours) },
      { [CONTRACT_VARIABLE]: String(ours + 1) },
      `remote-scan: contract mismatch: this step speaks contract ${ours + 1}, the scanner ${where} speaks ${ours}; upgrade the scanner (deploy a clair-pipeline release that speaks contract ${ours + 1} to that account)`,
    ],
    [
      'a newer scanner',
      { STUB_AWS_SCANNER_CONTRACT: String(ours + 1) },
      {},
      `remote-scan: contract mismatch: this step speaks contract ${ours}, the scanner ${where} speaks ${ours + 1}; upgrade this step (@clair-pipeline/scan, or the buildspec it came with) to a version that speaks contract ${ours + 1}`,
    ],
    [
      'a scanner that publishes no version',
      { STUB_AWS_SCANNER_CONTRACT: 'unset' },
      {},
      `remote-scan: contract mismatch: this step speaks contract ${ours}, the scanner ${where} speaks none; upgrade the scanner (deploy a clair-pipeline release that speaks contract ${ours} to that account)`,
    ],
    [
      'a scanner whose invoker may not read its project (older than contract versions)',
      { STUB_AWS_FAIL: 'codebuild:batch-get-projects' },
      {},
      `remote-scan: contract mismatch: this step speaks contract ${ours}, the scanner ${where} speaks none (its invoker role may not read it: the scanner predates contract versions); upgrade the scanner (deploy a clair-pipeline release that speaks contract ${ours} to that account)`,
    ],
  ])(
    'fails with exit 2 and one line naming both versions, before any build, against %s',
    async (_what, stub, env, line) => {
      const run = await remoteScan({ ...stub, ...env });

      expect(run.status).toBe(2);
      expect(lastErrorLine(run)).toBe(line);
      expect(run.operations).toEqual(['sts assume-role', 'codebuild batch-get-projects']);
    },
  );

  test('fails (exit 4) when the scanner project does not exist', async () => {
    const run = await remoteScan({ STUB_AWS_PROJECTS_NOT_FOUND: 'true' });

    expect(run.status).toBe(4);
    expect(lastErrorLine(run)).toBe(
      `remote-scan: the scanner project ${where} does not exist; check SCANNER_PROJECT_NAME and SCANNER_REGION`,
    );
    expect(run.operations).toEqual(['sts assume-role', 'codebuild batch-get-projects']);
  });

  test.each([undefined, '0', 'v1'])('rejects CLAIR_SCAN_CONTRACT=%s before calling AWS', async (value) => {
    const run = await remoteScan({ [CONTRACT_VARIABLE]: value });

    expect(run.status).toBe(2);
    expect(lastErrorLine(run)).toMatch(/^remote-scan: CLAIR_SCAN_CONTRACT \(the contract version this step speaks\)/);
    expect(run.calls).toHaveLength(0);
  });
});
