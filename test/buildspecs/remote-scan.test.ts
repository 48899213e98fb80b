import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CONTRACT_VARIABLE, SCAN_CONTRACT_VERSION } from '../../packages/clair-scan/src/contract';
import { REMOTE_SCAN_SCRIPT_PATH } from '../../packages/clair-scan/src/remote-scan-buildspec';
import { RunScriptResult, runScriptAsync } from '../helpers/run-script';
import { AwsCall, awsOption, runWithStubs, STUB_PATH, stubCalls } from '../helpers/stubs';

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
 * What several tests read, each asserting its own part, so that each path of the script is run
 * once, not once per test: `start` is called by the first test that asks, and only then.
 */
function shared<T>(start: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= start());
}

/**
 * The passing scan: the first status read finds the build in progress, the second fails
 * (throttled) and is retried, the third finds it SUCCEEDED; the scanner speaks this step's
 * contract; some policy variables are set, one of them empty, and CLAIR_ADDR (not one of them).
 */
const passingScan = shared(() =>
  remoteScan({
    STUB_AWS_SCANNER_CONTRACT: String(SCAN_CONTRACT_VERSION),
    STUB_AWS_BUILD_STATUSES: 'IN_PROGRESS THROTTLED SUCCEEDED',
    SEVERITY: 'Critical',
    ALLOWLIST_B64: ALLOWLIST,
    COUNT_UNKNOWN: '',
    REQUIRE_COVERAGE: 'false',
    CLAIR_ADDR: 'http://elsewhere:80',
  }),
);

/**
 * The passing readiness check (no image): start-build is refused twice, throttled and then at the
 * account's build limit, before a build starts, which the first status read finds SUCCEEDED; with
 * ROLE_SESSION_RENEW_SECONDS=0 the invoker session is due before every call after the first.
 */
const readinessScan = shared(() =>
  remoteScan({
    READINESS_ONLY: 'true',
    IMAGE_URI: undefined,
    ROLE_SESSION_RENEW_SECONDS: '0',
    STUB_AWS_START_BUILD_ERRORS: 'ThrottlingException AccountLimitExceededException',
    START_RETRY_SECONDS: '1',
  }),
);

function overridesOf(run: RemoteRun): Array<{ name: string; value: string; type: string }> {
  const start = run.calls.find((c) => c.argv[1] === 'start-build');
  return JSON.parse(awsOption(start!, 'environment-variables-override') ?? 'null');
}

function lastErrorLine(run: RunScriptResult): string {
  const lines = run.stderr.trim().split('\n');
  return lines[lines.length - 1];
}

/** A build as the script reads it: its status, then the lines the script prints about it. */
interface BuildRead {
  readonly status: string;
  readonly lines: string[];
}

/**
 * The script's own reading of a batch-get-builds answer (its jq program build_report), run in one
 * jq on the stub's answers for several finished builds, each `STATUS` or `FAILED EXIT-STATUS` (the
 * exit status its BUILD phase reports): what it made of each, by build.
 */
async function readBuilds(builds: string[]): Promise<Map<string, BuildRead>> {
  const script = fs.readFileSync(REMOTE_SCAN_SCRIPT_PATH, 'utf8');
  const program = /^build_report='([^']*)'$/m.exec(script)?.[1];
  if (program === undefined || !script.includes('jq -r "$build_report"')) {
    throw new Error(`${REMOTE_SCAN_SCRIPT_PATH} no longer reads a build with a build_report='...' jq program`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'remote-scan-'));
  const run = await runScriptAsync(
    'bash',
    [
      '-c',
      `set -euo pipefail
      for build in "$@"; do
        read -r status exit_status <<<"$build"
        STUB_AWS_BUILD_STATUSES=$status STUB_AWS_BUILD_EXIT_STATUS=$exit_status \\
          aws codebuild batch-get-builds --ids "$BUILD_ID" --region eu-central-1 --output json
      done | jq -r "$BUILD_REPORT"`,
      'bash',
      ...builds,
    ],
    { env: { PATH: STUB_PATH, STUB_AWS_DIR: dir, BUILD_ID, BUILD_REPORT: program } },
  );
  if (run.status !== 0) throw new Error(`reading the builds failed (${run.status}): ${run.stderr}`);
  expect(stubCalls<AwsCall>(dir)).toHaveLength(builds.length);
  // Each build's output starts with its status, the only line without the script's prefix.
  const reads: BuildRead[] = [];
  for (const line of run.stdout.trimEnd().split('\n')) {
    if (line.startsWith('remote-scan: ')) reads[reads.length - 1].lines.push(line);
    else reads.push({ status: line, lines: [] });
  }
  expect(reads).toHaveLength(builds.length);
  return new Map(builds.map((build, i) => [build, reads[i]]));
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

test('renews the invoker session when it is due, between start-build attempts and status reads', async () => {
  const run = await readinessScan();

  expect(run.status).toBe(0);
  expect(run.operations).toEqual([
    'sts assume-role',
    'codebuild batch-get-projects',
    'codebuild start-build',
    'sts assume-role',
    'codebuild start-build',
    'sts assume-role',
    'codebuild start-build',
    'sts assume-role',
    'codebuild batch-get-builds',
  ]);
  // Each session is assumed with the script's own credentials, and each call uses the newest.
  let sessions = 0;
  for (const call of run.calls) {
    if (call.argv[1] === 'assume-role') {
      expect(call.AWS_ACCESS_KEY_ID).toBe(CALLER_KEY);
      sessions++;
    } else {
      expect(call.AWS_ACCESS_KEY_ID).toBe(`ASIASTUBINVOKER${sessions}`);
    }
  }
  expect(sessions).toBe(4);
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
  const run = await readinessScan();

  expect(run.status).toBe(0);
  expect(run.stdout).toContain("remote-scan: checking that the scanner's Clair is ready\n");
  expect(overridesOf(run)).toEqual([{ name: 'READINESS_ONLY', value: 'true', type: 'PLAINTEXT' }]);
  expect(run.stdout).toMatch(/scan passed\n$/);
});

test('fails when the remote build fails, showing why', async () => {
  const run = await remoteScan({ STUB_AWS_BUILD_STATUSES: 'FAILED' });

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

test.each(['STOPPED', 'SOME_NEW_STATUS'])('fails when the remote build ends %s', async (status) => {
  const run = await remoteScan({ STUB_AWS_BUILD_STATUSES: status });

  expect(run.status).toBe(1);
  expect(lastErrorLine(run)).toContain(`ended ${status}`);
});

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
  const run = await passingScan();

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
  const run = await readinessScan();

  expect(run.status).toBe(0);
  expect(run.operations.filter((operation) => operation.startsWith('codebuild'))).toEqual([
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

test('fails when start-build is still refused when the bound runs out, never waiting past it', async () => {
  const run = await remoteScan({
    STUB_AWS_START_BUILD_ERRORS: 'AccountLimitExceededException '.repeat(10),
    START_RETRY_SECONDS: '60',
    SCAN_TIMEOUT_SECONDS: '2',
  });

  expect(run.status).toBe(4);
  expect(run.operations.slice(0, 2)).toEqual(['sts assume-role', 'codebuild batch-get-projects']);
  expect(run.operations.length).toBeGreaterThan(3);
  expect(run.operations.slice(2).every((operation) => operation === 'codebuild start-build')).toBe(true);
  const waits = [...run.stderr.matchAll(/trying again in (\d+) s/g)].map((m) => Number(m[1]));
  expect(waits).toHaveLength(run.operations.length - 3);
  for (const wait of waits) expect(wait).toBeLessThanOrEqual(2);
  expect(lastErrorLine(run)).toBe(
    'remote-scan: cannot start a build of clair-scanner in eu-central-1: still refused (AccountLimitExceededException) when SCAN_TIMEOUT_SECONDS=2 ran out',
  );
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

describe("the script's reading of a finished build", () => {
  // Its jq program (build_report), run once on the stub's answers for all of these builds, where a
  // run of the script for each would cost a third of a second of CPU. The runs above prove that the
  // script prints what this reads (FAILED, exit status 1), and that it passes on SUCCEEDED only
  // (FAILED, STOPPED, an unknown status).
  const builds = shared(() => readBuilds(['FAILED 7', 'FAILED 4', 'FAILED 70', 'FAILED 9', 'FAULT', 'TIMED_OUT']));

  test.each([
    ['7', 'not covered: Clair could not read the image'],
    ['4', 'registry credentials could not be fetched or were refused'],
    ['70', 'internal error in scan-image'],
    ['9', 'an exit status scan-image does not define'],
  ])('says what a scan-image exit status %s means', async (code, words) => {
    const read = (await builds()).get(`FAILED ${code}`)!;

    expect(read.status).toBe('FAILED');
    expect(read.lines).toContainEqual(expect.stringMatching(/^remote-scan: phase BUILD FAILED: /));
    expect(read.lines.join('\n')).toContain(`remote-scan: scan-image exit status ${code}: ${words}`);
  });

  test.each(['FAULT', 'TIMED_OUT'])('reads the status %s of a build that ended so', async (status) => {
    const read = (await builds()).get(status)!;

    expect(read.status).toBe(status);
    expect(read.lines[0]).toBe(`remote-scan: remote build ${BUILD_ID}: ${status}`);
  });
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
