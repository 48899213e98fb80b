import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../../container/scanner/gate/main';
import { REPO_ROOT, RunScriptResult } from '../../helpers/run-script';
import { AwsCall, klarFixtureKey, runWithStubs, STUB_PATH, stubCalls } from '../../helpers/stubs';
import { fakeRegistryProxy, stopFakeRegistry } from './fake-registry';
import { JunitReport, parseJunit } from './junit';

const SCAN_IMAGE = path.join(REPO_ROOT, 'container', 'scanner', 'scan-image');

/**
 * The canary every scenario's Clair knows. Scenarios use a registry that needs no `aws` call, and
 * the ECR variants below where the credentials matter (fewer processes: the suite stays fast).
 */
export const CANARY = 'registry.internal.example:5000/clair-canary:v1';
/** The repository of the image under test: a CDK asset repository. */
export const APP_REPOSITORY = 'cdk-hnb659fds-container-assets-222222222222-eu-central-1';
/** The image under test. */
export const IMAGE = `registry.internal.example:5000/${APP_REPOSITORY}:0123abcd`;
/** The canary on ECR in eu-west-1. */
export const ECR_CANARY = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/clair-canary:v1';
/** The image under test on ECR, in another region than the canary. */
export const ECR_IMAGE = `222222222222.dkr.ecr.eu-central-1.amazonaws.com/${APP_REPOSITORY}:0123abcd`;
/** Clair's address behind its internal load balancer. */
export const CLAIR_ADDR = 'http://internal-clair-123.eu-central-1.elb.amazonaws.com:80';
/**
 * The registries every scenario may read (ALLOWED_REGISTRIES): the hosts above, an address where
 * nothing listens, and the test registries of scripts/with-registry.sh when they run.
 */
export const ALLOWED_REGISTRIES = [
  'registry.internal.example:5000',
  '111111111111.dkr.ecr.eu-west-1.amazonaws.com',
  '222222222222.dkr.ecr.eu-central-1.amazonaws.com',
  '127.0.0.1:1',
  ...['TEST_REGISTRY', 'TEST_REGISTRY_AUTH', 'TEST_REGISTRY_TLS'].flatMap((name) => process.env[name] ?? []),
].join(',');
/** What the stub aws answers to `ecr get-login-password`. */
export const ECR_PASSWORD = 'ecr-password-that-must-never-be-printed';

/** A vulnerability item as klar prints it (all of Clair's fields). */
export interface KlarItem {
  readonly Name: string;
  readonly NamespaceName: string;
  readonly Description: string;
  readonly Link: string;
  readonly Severity: string;
  readonly Metadata?: Record<string, unknown>;
  readonly FixedBy?: string;
  readonly FeatureName: string;
  readonly FeatureVersion: string;
}

/** A Debian vulnerability with a fix, as Clair v2 reports it. */
export function vuln(name: string, severity: string, feature = 'openssl', extra: Partial<KlarItem> = {}): KlarItem {
  return {
    Name: name,
    NamespaceName: 'debian:11',
    Description: `${name} in ${feature}`,
    Link: `https://security-tracker.debian.org/tracker/${name}`,
    Severity: severity,
    Metadata: { NVD: { CVSSv2: { Score: 7.5, Vectors: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' } } },
    FixedBy: '1.1.1n-0+deb11u1',
    FeatureName: feature,
    FeatureVersion: '1.1.1k-1',
    ...extra,
  };
}

/** What the canary shows once Clair's data is loaded. */
export const CANARY_FINDINGS: KlarItem[] = [
  vuln('CVE-2022-0778', 'High'),
  vuln('CVE-2021-3711', 'Critical'),
  vuln('CVE-2021-33560', 'Medium', 'libgcrypt20'),
];

/** What one run of scan-image left behind. */
export interface ScanRun extends RunScriptResult {
  readonly reportDir: string;
  /** The environment klar saw on each call, with the image it was given. */
  readonly klarCalls: Array<Record<string, string | null>>;
  readonly awsCalls: AwsCall[];
  /** Everything a reader could see: stdout, stderr and every report file. */
  readonly visible: string;
  /** The one clear line scan-image prints last on stderr when it fails. */
  readonly lastErrorLine: string;
  junit(): JunitReport;
  summary(): string;
}

/** The scenario directories of this test file, deleted after its tests. */
const scenarioDirs: string[] = [];
afterAll(async () => {
  for (const dir of scenarioDirs) fs.rmSync(dir, { recursive: true, force: true });
  await stopFakeRegistry();
});

/**
 * A throwaway directory with the stub klar's fixtures (Clair's answers per image, in klar/) and the
 * stub aws's log (in the directory itself: one directory fewer to make per run), for running
 * scan-image. Runs are asynchronous so that tests can run concurrently:
 * each run starts several short processes and the suite would otherwise be slow.
 */
export class Scenario {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-image-'));
  private readonly klarDir = path.join(this.dir, 'klar');
  private readonly awsDir = this.dir;

  constructor() {
    scenarioDirs.push(this.dir);
    fs.mkdirSync(this.klarDir);
    this.answer(CANARY, CANARY_FINDINGS);
  }

  /**
   * Clair's findings for an image (for its n-th scan only, when `call` is given), stored as klar
   * reports them when asked for every severity: grouped by severity, keys sorted as Go does.
   */
  answer(image: string, vulnerabilities: KlarItem[], opts: { layers?: number; call?: number } = {}): this {
    const groups: Record<string, KlarItem[]> = {};
    for (const v of vulnerabilities) (groups[v.Severity] ??= []).push(v);
    const sorted = Object.fromEntries(
      Object.keys(groups)
        .sort()
        .map((severity) => [severity, groups[severity]]),
    );
    const report = JSON.stringify({ LayerCount: opts.layers ?? 3, Vulnerabilities: sorted });
    return this.fixture(image, opts.call === undefined ? 'json' : `${opts.call}.json`, report);
  }

  /** klar fails on an image with this message (on its n-th scan only, when `call` is given). */
  klarError(image: string, message: string, call?: number): this {
    return this.fixture(image, call === undefined ? 'error' : `${call}.error`, message);
  }

  /** klar prints exactly this on stdout and exits 0. */
  klarPrints(image: string, stdout: string): this {
    return this.fixture(image, 'raw', stdout);
  }

  /** Writes a file into the scenario's directory and returns its path. */
  file(name: string, text: string): string {
    const file = path.join(this.dir, name);
    fs.writeFileSync(file, text);
    return file;
  }

  /**
   * Runs the gate in this process (its `main`, the code scan-image.js is built from), with the stub
   * klar and aws first on its PATH, the defaults below and `env`, where `undefined` removes a
   * variable. Nothing else reaches it from the test runner. Fast: only the stubs are processes.
   */
  run(env: Record<string, string | undefined> = {}): Promise<ScanRun> {
    return this.execute(env, async (merged) => {
      let stdout = '';
      let stderr = '';
      const status = await main(merged, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
      return { status, stdout, stderr };
    });
  }

  /**
   * Runs the scan-image command itself (or `command`, e.g. a symlink to it) as a process, with the
   * stubs first on PATH (or `pathOverride`): the black-box run of the command, its bundle and Node.
   */
  runProcess(
    env: Record<string, string | undefined> = {},
    opts: { command?: string; pathOverride?: string } = {},
  ): Promise<ScanRun> {
    return this.execute({ ...env, ...(opts.pathOverride ? { PATH: opts.pathOverride } : {}) }, (merged) =>
      runWithStubs(opts.command ?? SCAN_IMAGE, [], merged, this.dir),
    );
  }

  private async execute(
    env: Record<string, string | undefined>,
    runner: (env: Record<string, string | undefined>) => Promise<RunScriptResult>,
  ): Promise<ScanRun> {
    const reportDir = path.join(this.dir, 'reports');
    const merged: Record<string, string | undefined> = {
      PATH: STUB_PATH,
      TMPDIR: os.tmpdir(),
      STUB_KLAR_DIR: this.klarDir,
      STUB_AWS_DIR: this.awsDir,
      STUB_AWS_ECR_PASSWORD: ECR_PASSWORD,
      IMAGE_URI: IMAGE,
      CANARY_IMAGE_URI: CANARY,
      CLAIR_ADDR,
      ALLOWED_REGISTRIES,
      REPORT_DIR: reportDir,
      READINESS_TIMEOUT_SECONDS: '0',
      READINESS_INTERVAL_SECONDS: '0',
      SCAN_TODAY: '2025-06-01',
      // These scenarios test klar's report, on registries that do not exist: their manifests come
      // from the fake registry; coverage.test.ts and formats.test.ts test the coverage check and
      // the image formats against a real registry and a stub Clair.
      REQUIRE_COVERAGE: 'false',
      http_proxy: await fakeRegistryProxy(),
      REGISTRY_INSECURE: 'true',
      ...env,
    };
    for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
    const result = await runner(merged);
    const reports = fs.existsSync(reportDir)
      ? fs
          .readdirSync(reportDir)
          .map((f) => path.join(reportDir, f))
          .filter((f) => fs.statSync(f).isFile())
          .map((f) => fs.readFileSync(f, 'utf8'))
      : [];
    const stderrLines = result.stderr.trim().split('\n');
    return {
      ...result,
      reportDir,
      klarCalls: stubCalls(this.klarDir),
      awsCalls: stubCalls<AwsCall>(this.awsDir),
      visible: [result.stdout, result.stderr, ...reports].join('\n'),
      lastErrorLine: stderrLines[stderrLines.length - 1],
      junit: () => parseJunit(path.join(reportDir, 'junit.xml')),
      summary: () => fs.readFileSync(path.join(reportDir, 'summary.txt'), 'utf8'),
    };
  }

  private fixture(image: string, suffix: string, text: string): this {
    fs.writeFileSync(path.join(this.klarDir, `${klarFixtureKey(image)}.${suffix}`), text);
    return this;
  }
}
