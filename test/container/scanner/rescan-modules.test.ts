import * as http from 'http';
import { AddressInfo } from 'net';
import { Deadline, DeadlineError } from '../../../container/scanner/gate/deadline';
import { RescanAws } from '../../../container/scanner/gate/rescan/aws';
import { AwsError } from '../../../container/scanner/gate/rescan/aws-error';
import { carryForward, compare } from '../../../container/scanner/gate/rescan/changes';
import { syncSecurityHub } from '../../../container/scanner/gate/rescan/hub-sync';
import { byDigest } from '../../../container/scanner/gate/rescan/inventory';
import { ImageResult, KeptFinding } from '../../../container/scanner/gate/rescan/scan';
import { MAX_FINDING_BYTES, importFindings } from '../../../container/scanner/gate/rescan/security-hub';
import { readRescanSettings } from '../../../container/scanner/gate/rescan/settings';
import { SESSION_TOKEN, StubAwsEndpoint } from '../../helpers/stubs/aws-endpoint';

// The rescan's modules called directly, for what the black-box runs (rescan.test.ts) do not reach
// cheaply: images that stop running, oversized findings, many batches, Security Hub's retry waits.

const DIGEST = `sha256:${'1'.repeat(64)}`;
const finding = (id: string, extra: Partial<KeptFinding> = {}): KeptFinding => ({
  id,
  package: 'openssl',
  version: '3.0.11',
  severity: 'High',
  fixedBy: '3.0.13',
  link: '',
  description: '',
  ...extra,
});
const result = (image: string, status: ImageResult['status'], findings: KeptFinding[]): ImageResult => ({
  image,
  digest: DIGEST,
  where: ['prod/service:web'],
  status,
  reason: '',
  counted: status === 'failing' ? findings.map((f) => `${f.id} ${f.package}`) : [],
  findings,
});

/** Security Hub is asked again at once: these stand-ins never throttle or refuse. */
const NO_WAIT = { backoffMs: 0 };

/** An AWS layer stand-in that records BatchImportFindings requests and accepts everything. */
function recordingAws(): { aws: RescanAws; batches: Array<Array<Record<string, any>>> } {
  const batches: Array<Array<Record<string, any>>> = [];
  const aws = {
    batchImportFindings: async (findings: Array<Record<string, any>>) => {
      batches.push(findings);
      return { FailedCount: 0, SuccessCount: findings.length, FailedFindings: [] };
    },
  } as unknown as RescanAws;
  return { aws, batches };
}

test('digests replace tags and digests, registry ports kept', () => {
  expect(byDigest('registry.example:5000/team/app:1.2', DIGEST)).toBe(`registry.example:5000/team/app@${DIGEST}`);
  expect(byDigest(`registry.example/app@sha256:${'2'.repeat(64)}`, DIGEST)).toBe(`registry.example/app@${DIGEST}`);
  expect(byDigest('registry.example/app', DIGEST)).toBe(`registry.example/app@${DIGEST}`);
});

test('an image that stopped running takes its findings with it; one not rescanned keeps them', () => {
  const before = [result('r/app@1', 'failing', [finding('CVE-1')]), result('r/job@1', 'passed', [finding('CVE-2')])];
  const now = carryForward([result('r/job@1', 'not-scanned', [])], before);
  expect(now[0].findings).toEqual([finding('CVE-2')]);
  const changes = compare(before, now);
  expect(changes).toEqual([
    expect.objectContaining({ image: 'r/job@1', notScanned: '', appeared: [], gone: [] }),
    expect.objectContaining({ image: 'r/app@1', stoppedRunning: true, gone: [finding('CVE-1')] }),
  ]);
  // Nothing changed: nothing to say.
  expect(compare(now, now)).toEqual([]);
});

test("Security Hub archives the findings of an image that stopped running, and keeps a not-rescanned image's", async () => {
  const { aws, batches } = recordingAws();
  const target = { partition: 'aws', region: 'eu-west-1', account: '111111111111' };
  const first = await syncSecurityHub(
    aws,
    target,
    [result('r/app@1', 'failing', [finding('CVE-1')]), result('r/job@1', 'passed', [finding('CVE-2')])],
    [],
    '2026-01-01T00:00:00.000Z',
    NO_WAIT,
  );
  expect(first).toMatchObject({ created: 2, archived: 0, failed: [] });
  const later = carryForward([result('r/job@1', 'not-scanned', [])], [result('r/job@1', 'passed', [finding('CVE-2')])]);
  const second = await syncSecurityHub(aws, target, later, first.imported, '2026-01-02T00:00:00.000Z', NO_WAIT);
  expect(second).toMatchObject({ created: 0, archived: 1, failed: [] });
  expect(batches[1]).toEqual([
    expect.objectContaining({
      Title: 'CVE-1 in openssl 3.0.11',
      RecordState: 'ARCHIVED',
      CreatedAt: '2026-01-01T00:00:00.000Z',
      UpdatedAt: '2026-01-02T00:00:00.000Z',
    }),
  ]);
  expect(second.imported.map((f) => f.image)).toEqual(['r/job@1']);
});

test('findings go 100 a request; one over 240 KB is never sent and is reported', async () => {
  const { aws, batches } = recordingAws();
  const findings = Array.from({ length: 250 }, (_, i) => ({ Id: `f-${i}` }));
  const huge = { Id: 'huge', Description: 'x'.repeat(MAX_FINDING_BYTES) };
  const failed = await importFindings(aws, [...findings, huge], NO_WAIT);
  expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
  expect(failed).toEqual([expect.objectContaining({ Id: 'huge', ErrorCode: 'FindingTooLarge' })]);
});

/** The rescan's environment as its CodeBuild project sets it, with `extra` over it. */
const rescanEnv = (extra: Record<string, string> = {}) => ({
  CANARY_IMAGE_URI: `registry.example/canary@${DIGEST}`,
  CLAIR_ADDR: 'http://clair.internal:6060',
  ALLOWED_REGISTRIES: 'registry.example',
  AWS_REGION: 'eu-west-1',
  RESCAN_ACCOUNT_ID: '111111111111',
  RESCAN_PARTITION: 'aws',
  RESCAN_ENVIRONMENT: 'prod',
  RESCAN_STATE_BUCKET: 'clair-rescan-state',
  RESCAN_STATE_KEY: 'rescan/state.json',
  RESCAN_STATE_KMS_KEY: 'arn:aws:kms:eu-west-1:111111111111:key/k',
  RESCAN_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111111111111:clair-notifications',
  RESCAN_METRIC_NAMESPACE: 'ClairPipeline/Rescan',
  ...extra,
});

test('RESCAN_SECURITY_HUB_BACKOFF_MS: 1000 ms unless set, an integer from 1 to 60000', () => {
  expect(readRescanSettings(rescanEnv()).securityHubBackoffMs).toBe(1000);
  expect(readRescanSettings(rescanEnv({ RESCAN_SECURITY_HUB_BACKOFF_MS: '1' })).securityHubBackoffMs).toBe(1);
  expect(readRescanSettings(rescanEnv({ RESCAN_SECURITY_HUB_BACKOFF_MS: '60000' })).securityHubBackoffMs).toBe(60000);
  for (const bad of ['0', '60001', '-1', '1.5', '01', '1e3', ' 1', 'soon']) {
    const read = () => readRescanSettings(rescanEnv({ RESCAN_SECURITY_HUB_BACKOFF_MS: bad }));
    expect(read).toThrow(
      expect.objectContaining({
        code: 2,
        message: `RESCAN_SECURITY_HUB_BACKOFF_MS must be an integer from 1 to 60000, got '${bad}'`,
      }),
    );
  }
});

test('by default Security Hub is asked again after 1, 2 and 4 s, each retry said, then the refusal returned', async () => {
  jest.useFakeTimers({ now: 0 });
  try {
    const asked: number[] = [];
    const refusal = { Id: 'f-1', ErrorCode: 'InvalidInput', ErrorMessage: 'Finding is malformed' };
    const aws = {
      batchImportFindings: async () => {
        asked.push(Date.now());
        return { FailedCount: 1, SuccessCount: 0, FailedFindings: [refusal] };
      },
    } as unknown as RescanAws;
    const said: string[] = [];
    const { securityHubBackoffMs } = readRescanSettings(rescanEnv());
    const failed = importFindings(aws, [{ Id: 'f-1' }], {
      backoffMs: securityHubBackoffMs,
      say: (line) => said.push(`${Date.now()} ${line}`),
    });
    await jest.runAllTimersAsync();
    expect(await failed).toEqual([refusal]);
    expect(asked).toEqual([0, 1000, 3000, 7000]);
    expect(said).toEqual([
      '0 Security Hub: 1 finding throttled or refused; retry 1 of 3 in 1000 ms',
      '1000 Security Hub: 1 finding throttled or refused; retry 2 of 3 in 2000 ms',
      '3000 Security Hub: 1 finding throttled or refused; retry 3 of 3 in 4000 ms',
    ]);
  } finally {
    jest.useRealTimers();
  }
});

test('an unchanged finding is sent again once 30 days old, so that Security Hub keeps it', async () => {
  const { aws, batches } = recordingAws();
  const target = { partition: 'aws', region: 'eu-west-1', account: '111111111111' };
  const results = [result('r/app@1', 'failing', [finding('CVE-1')])];
  const first = await syncSecurityHub(aws, target, results, [], '2026-01-01T00:00:00.000Z', NO_WAIT);
  const soon = await syncSecurityHub(aws, target, results, first.imported, '2026-01-20T00:00:00.000Z', NO_WAIT);
  expect(batches).toHaveLength(1);
  const late = await syncSecurityHub(aws, target, results, soon.imported, '2026-02-01T00:00:00.000Z', NO_WAIT);
  expect(batches[1]).toEqual([
    expect.objectContaining({
      RecordState: 'ACTIVE',
      CreatedAt: '2026-01-01T00:00:00.000Z',
      UpdatedAt: '2026-02-01T00:00:00.000Z',
    }),
  ]);
  expect(late.imported).toEqual([
    expect.objectContaining({ createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-02-01T00:00:00.000Z' }),
  ]);
});

describe('the AWS layer (the real SDK, as the bundle holds it)', () => {
  const saved = { ...process.env };
  beforeAll(() => {
    Object.assign(process.env, {
      AWS_MAX_ATTEMPTS: '1',
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    });
  });
  afterAll(() => {
    process.env = saved;
  });

  test('a call that does not answer by the deadline is cut there, as a deadline failure', async () => {
    const held: http.ServerResponse[] = [];
    const silent = http.createServer((_req, res) => held.push(res));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDSTANDIN', AWS_SECRET_ACCESS_KEY: 'stand-in-secret' });
    const aws = new RescanAws('eu-west-1', new Deadline(1));
    try {
      const started = Date.now();
      await expect(aws.listClusters()).rejects.toThrow(DeadlineError);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(held).toHaveLength(1);
      // Past the deadline, no request is made at all.
      await expect(aws.publish('arn:aws:sns:eu-west-1:111111111111:t', 's', 'm')).rejects.toThrow(
        /past its deadline .* while calling 'sns publish'/,
      );
      expect(held).toHaveLength(1);
    } finally {
      aws.close();
      silent.closeAllConnections();
      silent.close();
    }
  });

  test("AWS's error code is the AwsError's (NoSuchKey: no previous state)", async () => {
    const stub = await StubAwsEndpoint.start();
    process.env.AWS_ENDPOINT_URL = stub.url;
    // The stand-in's own session, with the keys set above: the chain's first provider, the environment's.
    process.env.AWS_SESSION_TOKEN = SESSION_TOKEN;
    const aws = new RescanAws('eu-west-1', new Deadline(60));
    try {
      const error = await aws.getObject('bucket', 'rescan/state.json').catch((e) => e);
      expect(error).toBeInstanceOf(AwsError);
      expect(error).toMatchObject({ awsCode: 'NoSuchKey' });
      expect(error.message).toMatch(/^'s3 get-object' failed: NoSuchKey: /);
    } finally {
      aws.close();
      await stub.close();
    }
  });
});
