import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { RECORD_UPLOAD_FAILED, scannerBuildSpec } from '../../../buildspecs/scanner-buildspec';
import { rescan } from '../../../container/scanner/gate/rescan/main';
import { findingId } from '../../../container/scanner/gate/rescan/security-hub';
import { PushedImage, pushImage, testRegistry } from '../../helpers/registry/registry';
import { REPO_ROOT, RunScriptResult } from '../../helpers/run-script';
import { STUBS_DIR, STUB_PATH, runWithStubs } from '../../helpers/stubs';
import { StubAwsEndpoint } from '../../helpers/stubs/aws-endpoint';
import { NAMESPACE_WITH_DATA, StubClair, clairLayer } from '../../helpers/stubs/clair';
import { ALLOWED_REGISTRIES, CANARY, KlarItem, Scenario, vuln } from './scenario';

// rescan-images against the real test registry (scripts/with-registry.sh), a stub Clair and the
// stub klar, with ECS, S3, SNS, CloudWatch and Security Hub answered by a local stand-in behind
// the AWS SDK the rescan bundles (AWS_ENDPOINT_URL): the requests are the SDK's own, serialized
// from the services' models and signed with container credentials, which the SDK's provider chain
// fetches from the stand-in as it does from CodeBuild. The rescans run the rescan's entry function
// (`rescan`, what rescan-images.js runs) in this process, one at a time (the SDK reads
// process.env), but one: the test that runs the scanner's build (scan-image, then its record
// upload with the real AWS CLI, as in the scanner image) rescans what that build recorded with the
// rescan-images command itself, its bash wrapper, its bundle and Node.
const test = global.test.concurrent;

const RESCAN = path.join(REPO_ROOT, 'container', 'scanner', 'rescan-images');
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`;
const BUCKET = 'clair-rescan-state-111111111111';
const STATE_KEY = 'rescan/state.json';
const KMS_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b6d9c4e-1111-4222-8333-444455556666`;
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:clair-notifications`;
const NAMESPACE = 'ClairPipeline/Rescan';
const PRODUCT_ARN = `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`;

const registry = testRegistry();
let clair: StubClair;
let app: PushedImage;
let worker: PushedImage;
const OS_RELEASE = 'ID=debian\nVERSION_ID="12"\n';
const DPKG = 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\n';

beforeAll(async () => {
  clair = await StubClair.start();
  app = await pushImage(registry.open, 'rescan/app', 'v1', [
    { 'etc/os-release': OS_RELEASE, 'var/lib/dpkg/status': DPKG },
    { 'app/run': 'app' },
  ]);
  worker = await pushImage(registry.open, 'rescan/worker', 'v1', [
    { 'etc/os-release': OS_RELEASE, 'var/lib/dpkg/status': DPKG },
    { 'app/run': 'worker' },
  ]);
  for (const image of [app, worker]) {
    clair.layer(image.layerName, clairLayer(image.layerName, 'debian:12', [{ name: 'openssl', version: '3.0.11' }]));
  }
  clair.namespace('debian:12', NAMESPACE_WITH_DATA);
});
afterAll(() => clair?.close());

/**
 * A directory with the stub `klar` and an `aws` that fails loudly: the rescan's AWS calls are the
 * SDK's, in process (only the gate's ECR login runs the CLI, and these images are not in ECR).
 */
const binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rescan-bin-'));
fs.writeFileSync(path.join(binDir, 'klar'), `#!/bin/sh\nexec ${path.join(STUBS_DIR, 'klar')} "$@"\n`, { mode: 0o755 });
fs.writeFileSync(
  path.join(binDir, 'aws'),
  '#!/bin/sh\necho "rescan test: the rescan ran the AWS CLI: $*" >&2\nexit 99\n',
  {
    mode: 0o755,
  },
);

afterAll(() => fs.rmSync(binDir, { recursive: true, force: true }));

/**
 * The real AWS CLI (scripts/ensure-test-tools.sh installs it), for the scanner build's record
 * upload: the first `aws` on PATH (found here, without a shell) or, behind a pyenv shim, the
 * program the shim runs, which saves the shim's seconds.
 */
async function realAws(): Promise<string> {
  const executable = (file: string) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  const found = (process.env.PATH ?? '')
    .split(':')
    .map((dir) => path.join(dir || '.', 'aws'))
    .find(executable);
  if (!found) throw new Error('rescan test: no aws on PATH (scripts/ensure-test-tools.sh installs it)');
  if (!found.includes('/shims/')) return found;
  return (await promisify(execFile)('pyenv', ['which', 'aws'], { encoding: 'utf8' })).stdout.trim();
}
/**
 * The scanner build's tools, the stub `klar` and the real `aws`: made when the test that runs the
 * build first asks, not while the file loads.
 */
const buildBinDir = path.join(binDir, 'scanner-build');
let buildBin: Promise<string> | undefined;
function scannerBuildBin(): Promise<string> {
  return (buildBin ??= realAws().then((aws) => {
    fs.mkdirSync(buildBinDir);
    for (const [name, target] of [
      ['klar', path.join(STUBS_DIR, 'klar')],
      ['aws', aws],
    ]) {
      fs.writeFileSync(path.join(buildBinDir, name), `#!/bin/sh\nexec ${target} "$@"\n`, { mode: 0o755 });
    }
    return buildBinDir;
  }));
}
/** A rescan is a few local requests and stub klar runs; a loaded machine still needs room. */
const SLOW = 120_000;

/**
 * The rescans run in this process, one after another: the AWS SDK's clients take their endpoint,
 * retries, configuration files and container credentials from process.env (the real one in this
 * repository's jest runtime, test/shared-cdk-runtime.js, which also lets the SDK load its
 * credential providers), not from the `env` the rescan is given.
 */
let inProcessTurn: Promise<unknown> = Promise.resolve();

/**
 * Runs the rescan's entry function on `env` as rescan-images.js runs it on its process's: with
 * process.env's AWS_* variables exactly those of `env` (nothing of the test runner's, as in the
 * command's process) while it runs, and put back afterwards.
 */
function rescanInProcess(env: Record<string, string>): Promise<RunScriptResult> {
  const run = inProcessTurn.then(async () => {
    const aws = (vars: NodeJS.ProcessEnv) => Object.keys(vars).filter((name) => name.startsWith('AWS_'));
    const saved = Object.fromEntries(aws(process.env).map((name) => [name, process.env[name]]));
    for (const name of aws(process.env)) delete process.env[name];
    for (const name of aws(env)) process.env[name] = env[name];
    let stdout = '';
    let stderr = '';
    try {
      const status = await rescan(env, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
      return { status, stdout, stderr };
    } finally {
      for (const name of aws(process.env)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });
  inProcessTurn = run.catch(() => undefined);
  return run;
}

/** The scanner build's commands: scan-image, then the upload of the deployed-policy records it wrote. */
const SCANNER_BUILD: string[] = (
  scannerBuildSpec({ reportGroupArn: 'arn:aws:codebuild:eu-west-1:1:report-group/r' }) as any
).phases.build.commands;

/** One environment: its klar fixtures (Scenario), its AWS stand-in, and rescans run against them. */
class Environment {
  readonly scenario = new Scenario();
  constructor(readonly aws: StubAwsEndpoint) {}

  static async start(): Promise<Environment> {
    return new Environment(await StubAwsEndpoint.start());
  }

  /** ECS runs `image` (by tag, with the digest ECS resolved) in a service. */
  runs(image: PushedImage, service: string): this {
    const name = image.byTag.split('/').slice(1).join('/').replace(/:.*$/, '');
    this.aws.runTask(CLUSTER, {
      taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${service}-${this.aws.clusters.size}${Math.random().toString(16).slice(2, 10)}`,
      group: `service:${service}`,
      containers: [{ name, image: image.byTag, imageDigest: image.digest }],
    });
    return this;
  }

  /** What klar (Clair) reports for an image from now on. */
  finds(image: PushedImage, findings: KlarItem[]): this {
    this.scenario.answer(image.byDigest, findings);
    return this;
  }

  /** What the scanner's and the rescan's builds share: the gate's settings, the stubs, the AWS stand-in. */
  private common(): Record<string, string | undefined> {
    return {
      PATH: `${binDir}:${process.env.PATH}`,
      HOME: process.env.HOME,
      STUB_KLAR_DIR: path.join(this.scenario.dir, 'klar'),
      CANARY_IMAGE_URI: CANARY,
      CLAIR_ADDR: clair.url,
      ALLOWED_REGISTRIES,
      REGISTRY_INSECURE: 'true',
      READINESS_TIMEOUT_SECONDS: '0',
      SCAN_TODAY: '2025-06-01',
      AWS_ENDPOINT_URL: this.aws.url,
      // CodeBuild's credentials: the SDK's provider chain (and the CLI's) ask the container endpoint.
      AWS_CONTAINER_CREDENTIALS_FULL_URI: this.aws.credentialsUrl,
      AWS_MAX_ATTEMPTS: '1',
      AWS_CONFIG_FILE: path.join(this.scenario.dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(this.scenario.dir, 'no-aws-credentials'),
      AWS_REGION: REGION,
    };
  }

  /**
   * The scanner project's build of `image` with an invoker's policy `overrides`: `commands` of its
   * buildspec (all of them: scan-image, then the upload of the deployed-policy records), stopping at
   * the first that fails, as CodeBuild does, with the project's record variables.
   */
  async deploy(
    image: PushedImage,
    overrides: Record<string, string>,
    commands: string[] = SCANNER_BUILD,
  ): Promise<RunScriptResult> {
    const script = path.join(this.scenario.dir, 'scanner-build.sh');
    fs.writeFileSync(script, ['set -e', ...commands].join('\n'));
    return runWithStubs(
      script,
      [],
      {
        ...this.common(),
        PATH: `${await scannerBuildBin()}:${path.join(REPO_ROOT, 'container', 'scanner')}:${process.env.PATH}`,
        IMAGE_URI: image.byDigest,
        DEPLOYED_POLICY_BUCKET: BUCKET,
        DEPLOYED_POLICY_KMS_KEY: KMS_KEY,
        ...overrides,
      },
      this.scenario.dir,
    );
  }

  /** The rescan's settings: the rescan project's variables, then `env`. */
  private rescanEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
    return {
      ...this.common(),
      RESCAN_ACCOUNT_ID: ACCOUNT,
      RESCAN_PARTITION: 'aws',
      RESCAN_ENVIRONMENT: 'prod',
      RESCAN_STATE_BUCKET: BUCKET,
      RESCAN_STATE_KEY: STATE_KEY,
      RESCAN_STATE_KMS_KEY: KMS_KEY,
      RESCAN_TOPIC_ARN: TOPIC,
      RESCAN_METRIC_NAMESPACE: NAMESPACE,
      RESCAN_SECURITY_HUB: 'true',
      ...env,
    };
  }

  /**
   * A rescan in this process (the code rescan-images.js is built from), with the environment the
   * command's process would have (runWithStubs's: the stubs' PATH unless set, TMPDIR, then these).
   */
  rescan(env: Record<string, string | undefined> = {}): Promise<RunScriptResult> {
    const merged: Record<string, string> = { PATH: STUB_PATH, TMPDIR: os.tmpdir() };
    for (const [name, value] of Object.entries(this.rescanEnv(env))) if (value !== undefined) merged[name] = value;
    return rescanInProcess(merged);
  }

  /** A run of the rescan-images command itself: its bash wrapper, its bundle and Node. */
  rescanProcess(env: Record<string, string | undefined> = {}): Promise<RunScriptResult> {
    return runWithStubs(RESCAN, [], this.rescanEnv(env), this.scenario.dir);
  }

  /** The metrics of the n-th rescan (1-based), by name. */
  metrics(n: number): Record<string, number> {
    const put = this.aws.metrics[n - 1];
    expect(put.Namespace).toBe(NAMESPACE);
    for (const m of put.MetricData) expect(m.Dimensions).toEqual([{ Name: 'Environment', Value: 'prod' }]);
    return Object.fromEntries(put.MetricData.map((m) => [m.MetricName, m.Value]));
  }

  close(): Promise<void> {
    return this.aws.close();
  }
}

const CVE_A = vuln('CVE-2024-0001', 'High', 'openssl');
const CVE_B = vuln('CVE-2024-0002', 'Low', 'libc6');

test(
  'a newly vulnerable running image notifies once and is imported; unchanged, nothing; fixed, archived; an image that fails to pull is reported, notified once and counted, never skipped',
  async () => {
    const env = (await Environment.start()).runs(app, 'web').runs(worker, 'jobs').finds(app, []).finds(worker, []);
    // An image ECS runs whose digest the registry does not have (deleted since).
    const gone = `${registry.open}/rescan/deleted@sha256:${'0'.repeat(64)}`;
    try {
      // First rescan: both clean. No finding, so nothing to say; metrics follow.
      let run = await env.rescan();
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`rescan-images: passed ${app.byDigest} (prod/service:web)`);
      expect(env.aws.published).toEqual([]);
      expect(env.aws.imports).toEqual([]);
      expect(env.metrics(1)).toEqual({ RunningImagesFailingPolicy: 0, ImagesNotScanned: 0, RescanFailed: 0 });
      const state = env.aws.objects.get(`${BUCKET}/${STATE_KEY}`)!;
      expect(state).toMatchObject({ encryption: 'aws:kms', kmsKeyId: KMS_KEY });

      // Clair learns of a vulnerability in the app's openssl, and a task of the deleted image starts:
      // the next rescan notifies of both and imports. Not every image rescanned: exit 5 (a failing
      // image alone exits 0: the listed images' test); the others are rescanned all the same.
      env.finds(app, [CVE_A, CVE_B]);
      env.aws.runTask(CLUSTER, {
        taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/old`,
        group: 'service:legacy',
        containers: [
          { name: 'legacy', image: `${registry.open}/rescan/deleted:v0`, imageDigest: `sha256:${'0'.repeat(64)}` },
        ],
      });
      run = await env.rescan();
      expect(run.status).toBe(5);
      expect(run.stdout).toContain(`rescan-images: FAILING ${app.byDigest} (prod/service:web)`);
      expect(run.stdout).toContain(`rescan-images: NOT RESCANNED ${gone} (prod/service:legacy): `);
      expect(run.stdout).toContain(`rescan-images: passed ${worker.byDigest} (prod/service:jobs)`);
      expect(run.stderr).toContain('rescan-images: incomplete: 1 image not rescanned');
      expect(env.aws.published).toHaveLength(1);
      const note = env.aws.published[0];
      expect(note.TopicArn).toBe(TOPIC);
      expect(note.Subject).toBe('Clair rescan prod: 1 newly failing, 1 not scanned, 2 new findings');
      expect(note.Message).toContain(`${gone}: COULD NOT BE RESCANNED: `);
      expect(note.Message).toContain('  runs in: prod/service:legacy');
      expect(note.Message).toContain(`${app.byDigest}: NEWLY FAILS THE POLICY`);
      expect(note.Message).toContain(`  digest:  ${app.digest}`);
      expect(note.Message).toContain('  runs in: prod/service:web');
      expect(note.Message).toContain('  counted: CVE-2024-0001 openssl');
      expect(note.Message).toContain('    CVE-2024-0002 [Low] libc6 1.1.1k-1 (fixed by 1.1.1n-0+deb11u1)');
      expect(note.Message).not.toContain(worker.byDigest);
      expect(env.metrics(2)).toEqual({ RunningImagesFailingPolicy: 1, ImagesNotScanned: 1, RescanFailed: 0 });
      expect(env.aws.imports).toHaveLength(1);
      expect(env.aws.imports[0]).toHaveLength(2);
      const high = env.aws.imports[0].find((f) => f.Title.startsWith('CVE-2024-0001'))!;
      expect(high).toMatchObject({
        SchemaVersion: '2018-10-08',
        ProductArn: PRODUCT_ARN,
        AwsAccountId: ACCOUNT,
        GeneratorId: 'clair-pipeline/rescan',
        RecordState: 'ACTIVE',
        FindingProviderFields: {
          Severity: { Label: 'HIGH', Original: 'High' },
          Types: ['Software and Configuration Checks/Vulnerabilities/CVE'],
        },
        Resources: [{ Type: 'Other', Id: app.byDigest, Partition: 'aws', Region: REGION }],
        Vulnerabilities: [
          {
            Id: 'CVE-2024-0001',
            VulnerablePackages: [{ Name: 'openssl', Version: '1.1.1k-1', FixedInVersion: '1.1.1n-0+deb11u1' }],
            FixAvailable: 'YES',
          },
        ],
        ProductFields: { 'clair-pipeline/where': 'prod/service:web' },
      });
      expect(high.Severity).toBeUndefined();

      // Unchanged (the image still cannot be pulled: reported and counted again, exit 5): no
      // notification, no import (no duplicate), the metrics still say 1.
      run = await env.rescan();
      expect(run.status).toBe(5);
      expect(run.stdout).toContain(`rescan-images: NOT RESCANNED ${gone} (prod/service:legacy): `);
      expect(run.stdout).toContain('nothing changed since the previous rescan; no notification');
      expect(env.aws.published).toHaveLength(1);
      expect(env.aws.imports).toHaveLength(1);
      expect(env.metrics(3)).toEqual({ RunningImagesFailingPolicy: 1, ImagesNotScanned: 1, RescanFailed: 0 });

      // Fixed (the vulnerability is gone from Clair's answer): notified, and the finding archived; the
      // image that still cannot be pulled is not notified again.
      env.finds(app, [CVE_B]);
      run = await env.rescan();
      expect(run.status).toBe(5);
      expect(run.stdout).toContain(`rescan-images: passed ${app.byDigest} (prod/service:web)`);
      expect(env.aws.published).toHaveLength(2);
      expect(env.aws.published[1].Message).toContain(`${app.byDigest}: passes the policy again`);
      expect(env.aws.published[1].Message).toMatch(/gone \(1\):\n {4}CVE-2024-0001 \[High\] openssl/);
      expect(env.aws.published[1].Message).not.toContain(gone);
      expect(env.aws.imports).toHaveLength(2);
      expect(env.aws.imports[1]).toEqual([expect.objectContaining({ Id: high.Id, RecordState: 'ARCHIVED' })]);
      expect(
        env.aws.imports[1][0].UpdatedAt > high.UpdatedAt || env.aws.imports[1][0].UpdatedAt === high.UpdatedAt,
      ).toBe(true);
      expect(env.aws.findings.get(high.Id)!.CreatedAt).toBe(high.CreatedAt);
      expect(env.metrics(4)).toEqual({ RunningImagesFailingPolicy: 0, ImagesNotScanned: 1, RescanFailed: 0 });
      expect(env.aws.requests.filter((r) => r.operation.startsWith('unexpected'))).toEqual([]);
      expect(env.aws.credentialRequests).toBeGreaterThanOrEqual(4); // each rescan's clients ask
    } finally {
      await env.close();
    }
  },
  SLOW,
);

test(
  'Clair not ready: exit 6, RescanFailed, and nothing reads as clean',
  async () => {
    const env = (await Environment.start()).runs(app, 'web').finds(app, []);
    env.scenario.answer(CANARY, []);
    try {
      const run = await env.rescan();
      expect(run.status).toBe(6);
      expect(run.stderr).toContain('rescan-images: Clair is not ready: canary');
      expect(env.aws.metrics).toHaveLength(1);
      expect(env.metrics(1)).toEqual({ RescanFailed: 1 });
      expect(env.aws.published).toEqual([]);
      expect(env.aws.imports).toEqual([]);
      expect(env.aws.calls('PutObject')).toEqual([]);
      expect(env.aws.calls('ListClusters')).toEqual([]);
    } finally {
      await env.close();
    }
  },
  SLOW,
);

test(
  'listed images are rescanned without ECS; findings go at most 100 a request, are retried when refused, and reported when Security Hub keeps refusing',
  async () => {
    const env = await Environment.start();
    const many = Array.from({ length: 150 }, (_, i) =>
      vuln(`CVE-2024-1${String(i).padStart(3, '0')}`, 'Medium', 'openssl'),
    );
    env.finds(app, [CVE_A, CVE_B]).finds(worker, many);
    const hub = { partition: 'aws', region: REGION, account: ACCOUNT };
    const id = (v: KlarItem) =>
      findingId(hub, app.byDigest, { id: v.Name, package: v.FeatureName } as Parameters<typeof findingId>[2]);
    const refusal = { ErrorCode: 'InvalidInput', ErrorMessage: 'Finding is malformed' };
    // Only the configuration's images; Security Hub asked again after 1, 2, 4 ms instead of 1, 2, 4 s
    // (rescan-modules.test.ts proves those).
    const listed = {
      RESCAN_ECS: 'false',
      RESCAN_IMAGES: `${app.byDigest},${worker.byDigest}`,
      RESCAN_SECURITY_HUB_BACKOFF_MS: '1',
    };
    const retry = (n: number, findings: string) =>
      `rescan-images: Security Hub: ${findings} throttled or refused; retry ${n} of 3 in ${2 ** (n - 1)} ms\n`;
    try {
      // 152 findings, the app's two first (images go in order of name): the first request (100) is
      // throttled, the second (52) accepted; the first again, CVE_A refused in it; then CVE_A alone.
      // Everything imported.
      env.aws.throttle = 1;
      env.aws.refuse.set(id(CVE_A), { times: 1, refusal });
      const first = await env.rescan(listed);
      expect(first.status).toBe(0);
      expect(env.aws.calls('ListClusters')).toEqual([]);
      expect(first.stdout).toContain(`FAILING ${app.byDigest} (listed in the configuration)`);
      expect(first.stdout).toContain(`passed ${worker.byDigest} (listed in the configuration)`); // Medium: below the policy
      expect(env.aws.calls('BatchImportFindings')).toHaveLength(4);
      expect(env.aws.imports.map((batch) => batch.length)).toEqual([52, 100, 1]);
      expect(env.aws.imports[2].map((f) => f.Id)).toEqual([id(CVE_A)]);
      expect(first.stdout).toContain(
        retry(1, '100 findings') + retry(2, '1 finding') + 'rescan-images: Security Hub: 152',
      );
      expect(new Set(env.aws.imports.flat().map((f) => f.Id)).size).toBe(152);
      expect(env.aws.findings.size).toBe(152);
      expect([...env.aws.findings.keys()]).toEqual(expect.arrayContaining([id(CVE_A), id(CVE_B)]));

      // A new finding Security Hub keeps refusing: exit 5, named, RescanFailed; pending for next time.
      const cve3 = vuln('CVE-2024-0003', 'Critical', 'zlib');
      env.finds(app, [CVE_A, CVE_B, cve3]);
      env.aws.refuse.set(id(cve3), { times: Infinity, refusal });
      const run = await env.rescan(listed);
      expect(run.status).toBe(5);
      expect(run.stderr).toContain(
        `rescan-images: Security Hub refused finding ${id(cve3)}: InvalidInput: Finding is malformed`,
      );
      expect(env.aws.imports.slice(3).map((batch) => batch.map((f) => f.Id))).toEqual(Array(4).fill([id(cve3)]));
      expect(run.stdout).toContain([1, 2, 3].map((n) => retry(n, '1 finding')).join(''));
      expect(env.metrics(2)).toMatchObject({ RescanFailed: 1 });
      const state = JSON.parse(env.aws.objects.get(`${BUCKET}/${STATE_KEY}`)!.body.toString('utf8'));
      const imported = state.imported.map((f: { id: string }) => f.id);
      expect(imported).toHaveLength(152);
      expect(imported).toEqual(expect.arrayContaining([id(CVE_A), id(CVE_B)]));
      expect(imported).not.toContain(id(cve3));
    } finally {
      await env.close();
    }
  },
  SLOW,
);

test(
  'a running image is judged by every policy its scanner builds recorded; a bad record is reported, never skipped',
  async () => {
    const env = (await Environment.start()).runs(app, 'web').runs(worker, 'jobs').finds(app, []).finds(worker, []);
    const recordsOf = (image: PushedImage) =>
      [...env.aws.objects.keys()].filter((k) => k.startsWith(`${BUCKET}/deployed-policies/${image.digest.slice(7)}/`));
    try {
      // The app passes the scanner with an invoker's strict policy (Low counts): its record is uploaded.
      const build = await env.deploy(app, { SEVERITY: 'Low' });
      expect(build.stderr).toBe('');
      expect(build.status).toBe(0);
      const [key] = recordsOf(app);
      expect(recordsOf(app)).toHaveLength(1);
      expect(env.aws.objects.get(key)).toMatchObject({ encryption: 'aws:kms', kmsKeyId: KMS_KEY });
      expect(JSON.parse(env.aws.objects.get(key)!.body.toString('utf8')).policy).toMatchObject({ severity: 'Low' });
      // Without the project's variables the build fails instead of leaving the policy unknown: its
      // upload step again, over the records that scan wrote (scan-image would pass as it did).
      expect(SCANNER_BUILD).toHaveLength(2);
      const unset = await env.deploy(app, { DEPLOYED_POLICY_BUCKET: '' }, SCANNER_BUILD.slice(1));
      expect(unset.status).toBe(RECORD_UPLOAD_FAILED);
      expect(unset.stderr).toContain('could not be recorded for the rescan of what runs');
      // A record for the worker that is not one (tampered, or another program's).
      const bad = `${BUCKET}/deployed-policies/${worker.digest.slice(7)}/${'0'.repeat(64)}.json`;
      env.aws.objects.set(bad, { body: Buffer.from('{"version":1}') });

      // A Low finding on both: the app fails its recorded policy; the worker passes the default (High).
      // The command itself (its bundle's SDK against the stand-in, with the container credentials it
      // asks for) reads the records the scanner's build uploaded, and exits with the contract's code.
      env.finds(app, [CVE_B]).finds(worker, [CVE_B]);
      const credentialRequests = env.aws.credentialRequests;
      const run = await env.rescanProcess();
      expect(run.status).toBe(5);
      expect(env.aws.credentialRequests).toBeGreaterThan(credentialRequests);
      expect(run.stdout).toContain(
        `rescan-images: FAILING ${app.byDigest} (prod/service:web): Verdict: FAIL: 1 counted, more than the 0 tolerated: CVE-2024-0002 libc6; fails the policy deployed `,
      );
      expect(run.stdout).toContain(`severity >= Low; Unknown counts: true; unfixed ignored: false; tolerated: 0;`);
      expect(run.stdout).toContain(`rescan-images: passed ${worker.byDigest} (prod/service:jobs)`);
      expect(run.stdout).toContain(
        `rescan-images: BAD POLICY RECORD for ${worker.byDigest}, judged by the environment's default policy too: ${bad.slice(BUCKET.length + 1)}: not a version 1 record`,
      );
      // Nothing else on stderr: no line of Node's or the SDK's own.
      expect(run.stderr).toBe(
        'rescan-images: incomplete: 0 images not rescanned, 0 Security Hub findings not imported, 1 deployed-policy record not usable\n',
      );
      expect(env.metrics(1)).toEqual({ RunningImagesFailingPolicy: 1, ImagesNotScanned: 0, RescanFailed: 1 });
      expect(env.aws.published[0].Message).toContain(`  fails:   the policy deployed `);
      // One listing per rescan, one GetObject per record (and the state's).
      expect(env.aws.calls('ListObjectsV2')).toHaveLength(1);
      expect(env.aws.calls('GetObject')).toHaveLength(3);
      expect(env.aws.requests.filter((r) => r.operation.startsWith('unexpected'))).toEqual([]);
    } finally {
      await env.close();
    }
  },
  SLOW,
);

test('bad settings fail with exit 2 naming the setting, before any AWS call', async () => {
  const env = await Environment.start();
  try {
    const run = await env.rescan({ RESCAN_CONCURRENCY: '0' });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("rescan-images: RESCAN_CONCURRENCY must be an integer from 1 to 32, got '0'\n");
    expect(env.aws.requests).toEqual([]);
  } finally {
    await env.close();
  }
});
