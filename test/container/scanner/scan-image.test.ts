import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { FAKE_MANIFEST_DIGEST } from './fake-registry';
import { REPO_ROOT } from '../../helpers/run-script';
import { STUB_PATH } from '../../helpers/stubs';
import { klarMessages } from '../../helpers/stubs/klar-messages';
import {
  APP_REPOSITORY,
  CANARY,
  CANARY_FINDINGS,
  CLAIR_ADDR,
  ECR_CANARY,
  ECR_IMAGE,
  ECR_PASSWORD,
  IMAGE,
  Scenario,
  ScanRun,
  vuln,
} from './scenario';

// Each test runs scan-image (several short processes) and waits on it: run them concurrently.
const test = global.test.concurrent;

function imageScans(run: ScanRun): number {
  return run.klarCalls.filter((c) => c.image === IMAGE).length;
}

function allowlist(entries: string): string {
  return `allow:\n${entries}`;
}

const ALLOW_CVE_2022_0778 = `  - id: CVE-2022-0778
    image: ${APP_REPOSITORY}
    reason: "Not reachable: the service never parses certificates (ticket SEC-12)"
    expires: 2025-12-31
`;

/** klar's description and version of one finding, with every character XML escapes. */
const NASTY = 'a <b> & "c" \'d\' \u0001 ]]> end';

/**
 * A run of the gate made when a test first asks for it, then shared by the tests that read it: each
 * proves its own rule on the same run, so one run replaces one per rule.
 */
function sharedRun(start: () => Promise<ScanRun>): () => Promise<ScanRun> {
  let run: Promise<ScanRun> | undefined;
  return () => (run ??= start());
}

/**
 * One run under the default policy (SEVERITY=High), on a report that holds a case of each rule the
 * tests that read it prove.
 */
const manyFindings = sharedRun(() =>
  new Scenario()
    .answer(IMAGE, [
      vuln('CVE-2022-0778', 'High'),
      vuln('CVE-2021-3711', 'Critical', 'libssl1.1'),
      vuln('CVE-2021-1', 'Low'),
      // The same package and vulnerability again, and the vulnerability in another package.
      vuln('CVE-2022-0778', 'High'),
      vuln('CVE-2022-0778', 'High', 'libssl1.1'),
      vuln('CVE-2023-5678', 'Unknown', 'musl'),
      // No fix: klar's FixedBy empty, or absent.
      vuln('CVE-2021-2', 'High', 'bash', { FixedBy: '' }),
      vuln('CVE-2021-4', 'High', 'zlib1g', { FixedBy: undefined }),
      // One pair reported twice, Low and Unknown (D4).
      vuln('CVE-2099-0001', 'Low'),
      vuln('CVE-2099-0001', 'Unknown'),
      vuln('CVE-2022-1', 'High', 'lib<x>&"y"', { Description: NASTY, FeatureVersion: NASTY }),
    ])
    .run(),
);

/** The lines of a run's "Counted vulnerabilities" list, without their links. */
function counted(run: ScanRun): string[] {
  const list = /\nCounted vulnerabilities \(\d+\):\n((?: {2}.*\n)*)/.exec(run.stdout);
  return (list?.[1] ?? '')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.trim().replace(/ {2}https:\/\/\S+$/, ''));
}

describe('the verdict', () => {
  test('passes when no vulnerability is at or above the threshold', async () => {
    const run = await new Scenario().answer(IMAGE, [vuln('CVE-2021-1', 'Medium'), vuln('CVE-2021-2', 'Low')]).run();

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Verdict: PASS: 0 counted, 0 tolerated');
    expect(run.stdout).toContain('2 reported, 2 below High');
    const junit = run.junit();
    // The second case is coverage, not checked in these scenarios (see scenario.ts).
    expect(junit).toMatchObject({ tests: 2, failures: 0, errors: 0, skipped: 1 });
    expect(junit.cases).toEqual([
      expect.objectContaining({ failure: false, skipped: false, error: false }),
      expect.objectContaining({
        name: expect.stringMatching(/^coverage: Clair v2 reads operating-system packages only/),
      }),
    ]);
    expect(run.stdout).toContain('coverage:   not checked (REQUIRE_COVERAGE=false)');
    expect(JSON.parse(fs.readFileSync(path.join(run.reportDir, 'klar.json'), 'utf8'))).toHaveProperty('LayerCount', 3);
    expect(run.summary()).toBe(run.stdout.slice(run.stdout.indexOf('Scan gate summary')));
  });

  test('fails listing the vulnerabilities at or above the threshold, the worst first (the run of many findings)', async () => {
    const run = await manyFindings();

    expect(run.status).toBe(1);
    const listed = [
      'CVE-2021-3711 [Critical] libssl1.1',
      'CVE-2021-2 [High] bash',
      'CVE-2021-4 [High] zlib1g',
      'CVE-2022-0778 [High] libssl1.1',
      'CVE-2022-0778 [High] openssl',
      'CVE-2022-1 [High] lib<x>&"y"',
      'CVE-2023-5678 [Unknown] musl',
      'CVE-2099-0001 [Unknown] openssl',
    ];
    expect(counted(run).map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual(listed);
    expect(run.stdout).toContain('Counted vulnerabilities (8):\n');
    expect(run.stdout).toContain('findings:   9 reported, 1 below High, 0 ignored as unfixed, 0 allowed, 8 counted\n');
    expect(run.stdout).toContain('Verdict: FAIL: 8 counted, more than the 0 tolerated');
    expect(run.lastErrorLine).toBe(
      'scan-image: vulnerabilities counted: 8 (at or above High, not allowed), more than MAX_VULNERABILITIES=0',
    );
    const junit = run.junit();
    expect(junit).toMatchObject({ tests: 9, failures: 8, skipped: 1, errors: 0 });
    expect(junit.cases.slice(0, 8).map((c) => [c.name.split(' ').slice(0, 4).join(' '), c.failure])).toEqual(
      listed.map((line) => [line.replace('] ', '] in '), true]),
    );
  });

  test('fails at a lower SEVERITY given in any case', async () => {
    const run = await new Scenario().answer(IMAGE, [vuln('CVE-2021-1', 'Medium')]).run({ SEVERITY: 'medium' });

    expect(run.status).toBe(1);
    expect(run.stdout).toContain('policy:     severity >= Medium');
  });

  test('fails on a vulnerability with severity Unknown under SEVERITY=High by default (the run of many findings)', async () => {
    const run = await manyFindings();

    expect(run.status).toBe(1);
    expect(counted(run)).toContain('CVE-2023-5678 [Unknown] musl 1.1.1k-1 (fixed by 1.1.1n-0+deb11u1)');
  });

  test('passes over severity Unknown when COUNT_UNKNOWN=false', async () => {
    const run = await new Scenario()
      .answer(IMAGE, [vuln('CVE-2023-5678', 'Unknown', 'musl')])
      .run({ COUNT_UNKNOWN: 'FALSE' });

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('1 below High');
  });

  test('fails counting each package and vulnerability once, like klar (the run of many findings)', async () => {
    const run = await manyFindings();

    expect(run.status).toBe(1);
    // CVE-2022-0778 was reported twice for openssl and once for libssl1.1.
    expect(counted(run).filter((line) => line.startsWith('CVE-2022-0778 '))).toEqual([
      'CVE-2022-0778 [High] libssl1.1 1.1.1k-1 (fixed by 1.1.1n-0+deb11u1)',
      'CVE-2022-0778 [High] openssl 1.1.1k-1 (fixed by 1.1.1n-0+deb11u1)',
    ]);
  });

  test('fails only on fixable vulnerabilities when IGNORE_UNFIXED=true', async () => {
    const run = await new Scenario()
      .answer(IMAGE, [
        vuln('CVE-2021-1', 'High', 'bash', { FixedBy: '' }),
        vuln('CVE-2021-2', 'High', 'zlib1g', { FixedBy: undefined }),
        vuln('CVE-2022-0778', 'High'),
      ])
      .run({ IGNORE_UNFIXED: 'true' });

    expect(run.status).toBe(1);
    expect(run.stdout).toContain('2 ignored as unfixed, 0 allowed, 1 counted');
    expect(run.stdout).toContain('CVE-2022-0778 [High] openssl 1.1.1k-1 (fixed by 1.1.1n-0+deb11u1)');
  });

  test('fails on vulnerabilities without a fix by default (the run of many findings)', async () => {
    const run = await manyFindings();

    expect(run.status).toBe(1);
    expect(counted(run)).toEqual(
      expect.arrayContaining([
        'CVE-2021-2 [High] bash 1.1.1k-1 (no fix)',
        'CVE-2021-4 [High] zlib1g 1.1.1k-1 (no fix)',
      ]),
    );
  });

  test('passes up to MAX_VULNERABILITIES counted vulnerabilities and fails above', async () => {
    const scenario = new Scenario().answer(IMAGE, [vuln('CVE-1', 'High'), vuln('CVE-2', 'High')]);
    expect((await scenario.run({ MAX_VULNERABILITIES: '2' })).status).toBe(0);
    expect((await scenario.run({ MAX_VULNERABILITIES: '1' })).status).toBe(1);
  });

  test('escapes every finding into a well-formed JUnit report (the run of many findings)', async () => {
    const run = await manyFindings();

    expect(run.status).toBe(1);
    // run.junit() fails on anything but well-formed XML.
    expect(run.junit().cases.filter((c) => c.classname === 'lib<x>&"y"')).toEqual([
      expect.objectContaining({
        name: expect.stringMatching(/^CVE-2022-1 \[High\] in lib<x>&"y" a <b> & "c" /),
        failure: true,
      }),
    ]);
  });
});

describe('the allowlist', () => {
  /** The entry for CVE-2022-0778 on the day it expires: it still allows. */
  const allowedOnExpiryDay = sharedRun(() => {
    const scenario = new Scenario().answer(IMAGE, [vuln('CVE-2022-0778', 'High'), vuln('CVE-2021-1', 'Low')]);
    return scenario.run({
      ALLOWLIST_FILE: scenario.file('allow.yaml', allowlist(ALLOW_CVE_2022_0778)),
      SCAN_TODAY: '2025-12-31',
    });
  });

  /** The entry for CVE-2022-0778 the day after it expired, and an unexpired one for another repository. */
  const allowingNothing = sharedRun(() => {
    const scenario = new Scenario().answer(IMAGE, [vuln('CVE-2022-0778', 'High'), vuln('CVE-2021-3711', 'High')]);
    const forAnotherImage =
      '  - id: CVE-2021-3711\n    image: some-other-repository\n    reason: "Not reachable (SEC-13)"\n    expires: 2099-01-01\n';
    return scenario.run({
      ALLOWLIST_FILE: scenario.file('allow.yaml', allowlist(ALLOW_CVE_2022_0778 + forAnotherImage)),
      SCAN_TODAY: '2026-01-01',
    });
  });

  test('passes when only allow-listed vulnerabilities remain, listing them as allowed (on its expiry day)', async () => {
    const run = await allowedOnExpiryDay();

    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      'Allowed by the allowlist (1):\n  CVE-2022-0778 [High] openssl 1.1.1k-1 (fixed by 1.1.1n-0+deb11u1) until 2025-12-31: Not reachable',
    );
    expect(run.stdout).toContain('1 allowed, 0 counted');
    const junit = run.junit();
    expect(junit).toMatchObject({ tests: 3, failures: 0, skipped: 2 });
    expect(junit.cases.filter((c) => c.skipped && c.classname !== 'scan-gate').map((c) => c.name)).toEqual([
      'CVE-2022-0778 [High] in openssl 1.1.1k-1',
    ]);
    expect(YAML.parse(fs.readFileSync(path.join(run.reportDir, 'klar-whitelist.yaml'), 'utf8'))).toEqual({
      general: [],
      images: { [APP_REPOSITORY]: ['CVE-2022-0778'] },
    });
  });

  test('reads the allowlist from ALLOWLIST_B64', async () => {
    const b64 = Buffer.from(allowlist(ALLOW_CVE_2022_0778)).toString('base64');
    const run = await new Scenario().answer(IMAGE, [vuln('CVE-2022-0778', 'High')]).run({ ALLOWLIST_B64: b64 });

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('allowlist:  from ALLOWLIST_B64 (1 entries, 0 expired)');
  });

  test('fails when the allowing entry has expired, naming the entry', async () => {
    const run = await allowingNothing();

    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      `Expired allowlist entries, no longer allowing anything (1):\n  CVE-2022-0778 (image ${APP_REPOSITORY}) expired 2025-12-31`,
    );
    expect(counted(run)).toContain('CVE-2022-0778 [High] openssl 1.1.1k-1 (fixed by 1.1.1n-0+deb11u1)');
    expect(run.stdout).toContain('0 allowed, 2 counted');
  });

  test('passes on the expiry day of the allowing entry', async () => {
    const run = await allowedOnExpiryDay();

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/ {2}allowlist: {2}\S+\/allow\.yaml \(1 entries, 0 expired\)\n/);
    expect(run.stdout).toContain('Allowed by the allowlist (1):\n  CVE-2022-0778 [High] openssl');
  });

  test('fails when the allowing entry is for another image', async () => {
    const run = await allowingNothing();

    expect(run.status).toBe(1);
    expect(counted(run)).toContain('CVE-2021-3711 [High] openssl 1.1.1k-1 (fixed by 1.1.1n-0+deb11u1)');
    expect(run.stdout).toContain('0 allowed, 2 counted');
  });

  test.each([
    ['not YAML', 'allow: [\n', /not valid YAML/],
    ['empty', '', /must be exactly one YAML document/],
    ['two documents', 'allow: []\n---\nallow: []\n', /must be exactly one YAML document/],
    [
      'without a list',
      'allowed: []\n',
      /must be a mapping with the keys "allow" and\/or "unscannable", each holding a list/,
    ],
    ['with another top-level key', 'allow: []\nowner: me\n', /must be a mapping with the keys "allow" and\/or/],
    ['an allow key that is not a list', 'allow: {}\n', /each holding a list/],
    ['an empty mapping', '{}\n', /must be a mapping with the keys/],
  ])('rejects an allowlist that is %s before scanning', async (_what, text, message) => {
    const scenario = new Scenario().answer(IMAGE, []);
    const run = await scenario.run({ ALLOWLIST_FILE: scenario.file('allow.yaml', text) });

    expect(run.status).toBe(3);
    expect(run.lastErrorLine).toMatch(/^scan-image: bad allowlist \S+allow\.yaml: /);
    expect(run.lastErrorLine).toMatch(message);
    expect(run.klarCalls).toHaveLength(0);
  });

  test('rejects an allowlist with any malformed entry, naming every problem', async () => {
    const scenario = new Scenario().answer(IMAGE, []);
    const text = allowlist(
      [
        `${ALLOW_CVE_2022_0778}`,
        '  - id: CVE-1\n    expires: 2030-01-01\n',
        '  - id: CVE-2\n    reason: "  "\n    expires: 2030-01-01\n',
        '  - id: CVE-3\n    reason: r\n',
        '  - id: CVE-4\n    reason: r\n    expires: 2025-02-30\n',
        '  - id: CVE-5\n    reason: r\n    expires: 31.12.2025\n',
        '  - id: CVE-6\n    reason: r\n    expires: 2030-01-01\n    until: 2031-01-01\n',
        `  - id: CVE-7\n    reason: r\n    expires: 2030-01-01\n    image: ${IMAGE}\n`,
        '  - reason: r\n    expires: 2030-01-01\n',
        '  - CVE-9\n',
      ].join(''),
    );
    const run = await scenario.run({ ALLOWLIST_FILE: scenario.file('allow.yaml', text) });

    expect(run.status).toBe(3);
    expect(run.lastErrorLine.replace(/^scan-image: bad allowlist \S+: /, '').split('; ')).toEqual([
      'entry 2 needs a non-empty reason',
      'entry 3 needs a non-empty reason',
      'entry 4 needs expires as a valid date YYYY-MM-DD',
      'entry 5 needs expires as a valid date YYYY-MM-DD',
      'entry 6 needs expires as a valid date YYYY-MM-DD',
      'entry 7 has unknown key "until"',
      'entry 8 has an image that is not a repository path (no registry, no tag)',
      'entry 9 needs an id (a vulnerability name without spaces)',
      'entry 10 is not a mapping',
    ]);
    expect(run.klarCalls).toHaveLength(0);
  });

  test('rejects ALLOWLIST_B64 that is not base64', async () => {
    const run = await new Scenario().run({ ALLOWLIST_B64: 'not*base64!' });

    expect(run.status).toBe(3);
    expect(run.lastErrorLine).toBe('scan-image: bad allowlist: ALLOWLIST_B64 is not valid base64');
  });

  test('rejects ALLOWLIST_FILE and ALLOWLIST_B64 together', async () => {
    const scenario = new Scenario();
    const run = await scenario.run({
      ALLOWLIST_FILE: scenario.file('a.yaml', 'allow: []\n'),
      ALLOWLIST_B64: 'YWxsb3c6IFtdCg==',
    });

    expect(run.status).toBe(2);
    expect(run.lastErrorLine).toBe('scan-image: set ALLOWLIST_FILE or ALLOWLIST_B64, not both');
  });
});

describe('readiness', () => {
  /** The canary's first scan fails in klar, its second shows nothing, its third its findings. */
  const readyOnThirdTry = sharedRun(() =>
    new Scenario()
      .klarError(CANARY, 'Failed to analyze, exiting', 1)
      .answer(CANARY, [], { call: 2 })
      .answer(IMAGE, [])
      .run({ READINESS_TIMEOUT_SECONDS: '60' }),
  );

  test('waits until the canary shows vulnerabilities (ready on the third try)', async () => {
    const run = await readyOnThirdTry();

    expect(run.status).toBe(0);
    expect(run.klarCalls.filter((c) => c.image === CANARY)).toHaveLength(3);
    expect(run.stdout.match(/Clair not ready yet \(attempt \d\): .*/g)).toEqual([
      expect.stringMatching(/^Clair not ready yet \(attempt 1\): canary scan failed: klar exited 2/),
      expect.stringMatching(/^Clair not ready yet \(attempt 2\): canary \S+ showed 0 < 1 vulnerabilities/),
    ]);
    expect(run.stdout).toContain('Clair is ready: canary');
  });

  test('fails, saying so, when the canary never shows vulnerabilities within the bound', async () => {
    const run = await new Scenario()
      .answer(CANARY, [])
      .answer(IMAGE, [])
      .run({ READINESS_TIMEOUT_SECONDS: '1', READINESS_INTERVAL_SECONDS: '1' });

    expect(run.status).toBe(6);
    expect(run.lastErrorLine).toMatch(
      new RegExp(
        `^scan-image: Clair is not ready: canary ${CANARY} showed 0 < 1 vulnerabilities after [1-9]\\d* s \\(\\d+ attempts?\\)$`,
      ),
    );
    expect(imageScans(run)).toBe(0);
  });

  test('fails when the canary shows fewer than CANARY_MIN_VULNERABILITIES', async () => {
    const run = await new Scenario().answer(IMAGE, []).run({ CANARY_MIN_VULNERABILITIES: '4' });

    expect(run.status).toBe(6);
    expect(run.lastErrorLine).toContain('showed 3 < 4 vulnerabilities');
  });

  test('retries a klar error during readiness (the run ready on the third try)', async () => {
    const run = await readyOnThirdTry();

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Clair not ready yet (attempt 1): canary scan failed: klar exited 2');
  });

  test('fails when Clair is unreachable, naming the last error', async () => {
    const run = await new Scenario().answer(IMAGE, []).run({ STUB_KLAR_UNREACHABLE: 'true' });

    expect(run.status).toBe(6);
    expect(run.lastErrorLine).toMatch(
      /^scan-image: Clair is not ready: canary scan failed: klar exited 2 on \S+: Failed to analyze using API v1: .*can't push layer to Clair: .*connection refused after \d+ s \(1 attempt\)$/,
    );
    expect(run.stderr).toContain('connection refused');
    expect(imageScans(run)).toBe(0);
  });

  test('passes in READINESS_ONLY mode once the canary shows vulnerabilities, scanning no image', async () => {
    const run = await new Scenario().run({ READINESS_ONLY: 'true', IMAGE_URI: undefined });

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Clair is ready');
    expect(run.klarCalls.map((c) => c.image)).toEqual([CANARY]);
  });

  test('fails in READINESS_ONLY mode when Clair is not ready', async () => {
    const run = await new Scenario().answer(CANARY, []).run({ READINESS_ONLY: 'true', IMAGE_URI: undefined });

    expect(run.status).toBe(6);
  });
});

describe('klar and Clair failures', () => {
  test.each([
    [
      'the manifest is an OCI index',
      klarMessages.unsupportedMediaType(IMAGE, 'application/vnd.oci.image.index.v1+json'),
    ],
    [
      'the registry refuses the credentials',
      klarMessages.registryError(IMAGE, '401 Unauthorized', 'UNAUTHORIZED: authentication required'),
    ],
    [
      'Clair times out',
      'Failed to analyze using API v1: can\'t push layer to Clair: Post "http://clair:80/v1/layers": context deadline exceeded (Client.Timeout exceeded while awaiting headers)\nFailed to analyze, exiting',
    ],
    [
      'Clair answers an error',
      'Failed to analyze using API v1: push error 500: {"Error":{"Message":"could not find layer"}}\nFailed to analyze, exiting',
    ],
  ])('fails when klar exits 2 on the image because %s', async (_what, message) => {
    const run = await new Scenario().klarError(IMAGE, message).run();

    expect(run.status).toBe(5);
    // The cause named is Clair's answer (klar's API v1 line) when there is one, else klar's last line.
    const lines = message.split('\n');
    const cause = lines.find((line) => line.startsWith('Failed to analyze using API v1:')) ?? lines.pop();
    expect(run.lastErrorLine).toBe(`scan-image: klar exited 2 on ${IMAGE}: ${cause}`);
    expect(run.stderr).toContain(message);
  });

  test.each([
    ['not JSON', 'Analysing 3 layers\n'],
    ['JSON without LayerCount', '{"Vulnerabilities":{}}\n'],
    ['zero layers', '{"LayerCount":0,"Vulnerabilities":{}}\n'],
    ['Vulnerabilities that are not lists', '{"LayerCount":2,"Vulnerabilities":{"High":{"Name":"CVE-1"}}}\n'],
  ])('fails when klar prints %s', async (_what, stdout) => {
    const run = await new Scenario().klarPrints(IMAGE, stdout).run();

    expect(run.status).toBe(5);
    expect(run.lastErrorLine).toBe(
      `scan-image: klar exited 0 on ${IMAGE} without a JSON report with at least one layer`,
    );
  });

  test('leaves an error report behind, replacing stale reports', async () => {
    const scenario = new Scenario().klarError(IMAGE, 'Failed to analyze, exiting');
    fs.mkdirSync(path.join(scenario.dir, 'reports'));
    fs.writeFileSync(path.join(scenario.dir, 'reports', 'junit.xml'), 'stale');
    const run = await scenario.run();

    expect(run.status).toBe(5);
    expect(run.junit()).toMatchObject({ tests: 1, errors: 1, failures: 0 });
    expect(run.summary()).toContain('Verdict: ERROR: klar exited 2');
  });

  test('finds its program when run through a symlink, as installed in the image', async () => {
    const scenario = new Scenario().answer(IMAGE, []);
    const bin = path.join(scenario.dir, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(path.join(REPO_ROOT, 'container', 'scanner', 'scan-image'), path.join(bin, 'scan-image'));
    const run = await scenario.runProcess({}, { command: path.join(bin, 'scan-image') });

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Verdict: PASS');
  });

  test('fails closed with 70, never 0 or 1, when Node stops unexpectedly (killed for memory)', async () => {
    const scenario = new Scenario().answer(IMAGE, []);
    const fakeBin = path.join(scenario.dir, 'fake-bin');
    fs.mkdirSync(fakeBin);
    fs.writeFileSync(path.join(fakeBin, 'node'), '#!/bin/sh\nkill -KILL $$\n', { mode: 0o755 });
    const run = await scenario.runProcess({}, { pathOverride: `${fakeBin}:${STUB_PATH}` });

    expect(run.status).toBe(70);
    expect(run.lastErrorLine).toMatch(/^scan-image: internal error/);
  });
});

describe('registry credentials and klar settings', () => {
  /** An image by digest on a registry other than ECR, with credentials and klar settings to pass or withhold. */
  const OTHER_IMAGE = `registry.internal.example:5000/team/app@${FAKE_MANIFEST_DIGEST}`;
  const otherRegistry = sharedRun(() =>
    new Scenario().answer(OTHER_IMAGE, []).run({
      IMAGE_URI: OTHER_IMAGE,
      DOCKER_USER: 'robot',
      DOCKER_PASSWORD: 'robot-secret',
      REGISTRY_INSECURE: 'true',
      WHITELIST_FILE: '/tmp/theirs.yaml',
      IGNORE_UNFIXED: 'false',
      CLAIR_TIMEOUT_MINUTES: '20',
      NO_PROXY: '169.254.169.254',
    }),
  );

  test('fetches ECR passwords with the region of each host and never prints them', async () => {
    const run = await new Scenario()
      .answer(ECR_CANARY, CANARY_FINDINGS)
      .answer(ECR_IMAGE, [vuln('CVE-2022-0778', 'High')])
      .run({ CANARY_IMAGE_URI: ECR_CANARY, IMAGE_URI: ECR_IMAGE, KLAR_TRACE: 'true', DOCKER_TOKEN: 'stale' });

    expect(run.status).toBe(1);
    expect(run.awsCalls.map((c) => c.argv)).toEqual([
      ['ecr', 'get-login-password', '--region', 'eu-west-1'],
      ['ecr', 'get-login-password', '--region', 'eu-central-1'],
    ]);
    expect(run.klarCalls.map((c) => c.image)).toEqual([ECR_CANARY, ECR_IMAGE]);
    for (const call of run.klarCalls) {
      expect(call).toMatchObject({
        DOCKER_USER: 'AWS',
        DOCKER_PASSWORD: ECR_PASSWORD,
        DOCKER_TOKEN: null,
        KLAR_TRACE: null,
      });
    }
    expect(run.visible).not.toContain(ECR_PASSWORD);
  });

  test('passes DOCKER_USER and DOCKER_PASSWORD through for other registries without calling aws', async () => {
    const run = await otherRegistry();

    expect(run.status).toBe(0);
    expect(run.awsCalls).toHaveLength(0);
    expect(run.klarCalls[1]).toMatchObject({
      image: OTHER_IMAGE,
      DOCKER_USER: 'robot',
      DOCKER_PASSWORD: 'robot-secret',
      REGISTRY_INSECURE: 'true',
    });
    expect(run.visible).not.toContain('robot-secret');
  });

  test('fails when the ECR password cannot be fetched', async () => {
    const run = await new Scenario().run({ CANARY_IMAGE_URI: ECR_CANARY, STUB_AWS_FAIL: 'ecr:get-login-password' });

    expect(run.status).toBe(4);
    expect(run.lastErrorLine).toBe(
      `scan-image: cannot get an ECR password for ${ECR_CANARY}: 'aws ecr get-login-password --region eu-west-1' failed`,
    );
    expect(run.klarCalls).toHaveLength(0);
  });

  test('asks klar for every severity in JSON, keeps its threshold out of reach and bypasses proxies for Clair', async () => {
    const run = await otherRegistry();

    expect(run.status).toBe(0);
    expect(run.klarCalls[1]).toMatchObject({
      image: OTHER_IMAGE,
      CLAIR_ADDR,
      CLAIR_OUTPUT: 'Unknown',
      CLAIR_THRESHOLD: '1000000000',
      JSON_OUTPUT: 'true',
      CLAIR_TIMEOUT: '20',
      DOCKER_TIMEOUT: '20',
      WHITELIST_FILE: null,
      IGNORE_UNFIXED: null,
      NO_PROXY: '169.254.169.254,internal-clair-123.eu-central-1.elb.amazonaws.com',
    });
  });
});

describe('input validation', () => {
  test.each([
    ['missing', undefined],
    ['empty', ''],
    ['without a registry host', 'library/nginx:1.25'],
    ['a Docker Hub short name', 'nginx:1.25'],
    ['without tag or digest', '222222222222.dkr.ecr.eu-central-1.amazonaws.com/app'],
    ['with an uppercase repository', 'registry.example.com/Team/app:1'],
    ['with a bad tag', 'registry.example.com/app:-bad'],
    ['with a tag that is too long', `registry.example.com/app:${'a'.repeat(129)}`],
    ['with a short digest', 'registry.example.com/app@sha256:abc'],
    ['with both tag and digest', `registry.example.com/app:1@sha256:${'a'.repeat(64)}`],
    ['with a scheme', 'https://registry.example.com/app:1'],
    ['with a space', 'registry.example.com/app:1 --help'],
    ['with a newline', 'registry.example.com/app:1\nregistry.example.com/other:2'],
  ])('rejects an IMAGE_URI %s before scanning', async (_what, image) => {
    const run = await new Scenario().run({ IMAGE_URI: image });

    expect(run.status).toBe(2);
    expect(run.lastErrorLine).toMatch(/^scan-image: IMAGE_URI (is required|must)/);
    expect(run.klarCalls).toHaveLength(0);
  });

  test.each([
    ['without a port', 'http://clair.internal'],
    ['without a scheme', 'clair.internal:6060'],
    ['with another scheme', 'ftp://clair.internal:21'],
    ['with port 0', 'http://clair.internal:0'],
    ['with a port out of range', 'http://clair.internal:65536'],
    ['with credentials', 'http://user:pass@clair.internal:80'],
    ['with a path', 'http://clair.internal:80/v1'],
    ['with a trailing slash', 'http://clair.internal:80/'],
  ])('rejects a CLAIR_ADDR %s', async (_what, addr) => {
    const run = await new Scenario().run({ CLAIR_ADDR: addr });

    expect(run.status).toBe(2);
    expect(run.lastErrorLine).toMatch(/^scan-image: CLAIR_ADDR (must|has an invalid port)/);
    expect(run.klarCalls).toHaveLength(0);
  });

  test.each([
    ['SEVERITY', 'Severe', /must be one of Unknown Negligible Low Medium High Critical Defcon1/],
    ['COUNT_UNKNOWN', 'yes', /must be true or false, got 'yes'/],
    ['IGNORE_UNFIXED', '1', /must be true or false/],
    ['READINESS_ONLY', 'maybe', /must be true or false/],
    ['MAX_VULNERABILITIES', '-1', /must be a non-negative integer/],
    ['MAX_VULNERABILITIES', '010', /must be a non-negative integer/],
    ['CANARY_MIN_VULNERABILITIES', '0', /must be at least 1/],
    ['CLAIR_TIMEOUT_MINUTES', '0', /must be at least 1/],
    ['READINESS_TIMEOUT_SECONDS', '1h', /must be a non-negative integer/],
    ['SCAN_TODAY', '2025-02-30', /must be a date YYYY-MM-DD/],
    ['CANARY_IMAGE_URI', 'canary:latest', /must be registry/],
  ])('rejects %s=%s', async (name, value, message) => {
    const run = await new Scenario().run({ [name]: value });

    expect(run.status).toBe(2);
    expect(run.lastErrorLine).toMatch(new RegExp(`^scan-image: ${name} `));
    expect(run.lastErrorLine).toMatch(message);
    expect(run.klarCalls).toHaveLength(0);
  });

  test('rejects a missing CANARY_IMAGE_URI', async () => {
    const run = await new Scenario().run({ CANARY_IMAGE_URI: undefined });

    expect(run.status).toBe(2);
    expect(run.lastErrorLine).toBe('scan-image: CANARY_IMAGE_URI is required');
  });
});

describe('hostile inputs (reference/hostile-inputs.md)', () => {
  test.each([
    [
      'an entry with two expires (D3)',
      `allow:\n  - id: CVE-2022-0778\n    reason: r\n    expires: 2000-01-01\n    expires: 2099-01-01\n`,
    ],
    [
      'two allow lists (D3)',
      `allow:\n  - id: CVE-1\n    reason: r\n    expires: 2099-01-01\nallow:\n  - id: CVE-2022-0778\n    reason: r\n    expires: 2099-01-01\n`,
    ],
  ])('rejects an allowlist with %s: a duplicate key, exit 3', async (_what, text) => {
    const scenario = new Scenario().answer(IMAGE, [vuln('CVE-2022-0778', 'High')]);
    const run = await scenario.run({ ALLOWLIST_FILE: scenario.file('allow.yaml', text) });

    expect(run.status).toBe(3);
    expect(run.lastErrorLine).toMatch(
      /^scan-image: bad allowlist \S+allow\.yaml: a duplicate key at line \d+, column \d+: each key may appear once in a mapping$/,
    );
    expect(run.klarCalls).toHaveLength(0);
  });

  test('counts the worst severity of a pair reported twice: Low and Unknown fail at High (D4, the run of many findings)', async () => {
    const run = await manyFindings();

    expect(run.status).toBe(1);
    expect(counted(run)).toContain('CVE-2099-0001 [Unknown] openssl 1.1.1k-1 (fixed by 1.1.1n-0+deb11u1)');
    expect(run.stdout).not.toContain('CVE-2099-0001 [Low]');
  });

  test('counts severities klar groups under names Clair does not define, as Unknown (D5)', async () => {
    const run = await new Scenario()
      .klarPrints(IMAGE, JSON.stringify({ LayerCount: 1, Vulnerabilities: { Important: [{ Name: 'CVE-2099-3' }] } }))
      .run();

    expect(run.status).toBe(1);
    expect(run.stdout).toContain('CVE-2099-3 [Unknown (reported as "Important")]');
  });

  test("never shows credentials a registry echoed into klar's errors (D8)", async () => {
    const basic = Buffer.from('robot:robot-secret').toString('base64');
    const run = await new Scenario()
      .klarError(IMAGE, `Can't parse Www-Authenticate: Bearer error="you sent Basic ${basic}"`)
      .run({ DOCKER_USER: 'robot', DOCKER_PASSWORD: 'robot-secret' });

    expect(run.status).toBe(5);
    expect(run.lastErrorLine).toContain('you sent Basic [redacted]');
    expect(run.visible).not.toContain(basic);
  });

  test('names a klar crash as one, not by its stack trace (D10)', async () => {
    const run = await new Scenario()
      .klarError(
        IMAGE,
        'panic: runtime error: index out of range [0] with length 0\n\ngoroutine 1 [running]:\nmain.main()\n\t/go/src/github.com/optiopay/klar/main.go:74 +0x5da',
      )
      .run();

    expect(run.status).toBe(5);
    expect(run.lastErrorLine).toBe(
      `scan-image: klar exited 2 on ${IMAGE}: klar crashed: panic: runtime error: index out of range [0] with length 0`,
    );
  });

  test.each([
    ['port 0', 'registry.example.com:0/app:1', /registry port from 1 to 65535/],
    ['port 65536', 'registry.example.com:65536/app:1', /registry port from 1 to 65535/],
    ['port 99999', 'registry.example.com:99999/app:1', /registry port from 1 to 65535/],
    ['a name over 255 characters', `registry.example.com/${'a/'.repeat(120)}app:1`, /at most 255 characters, got 264/],
  ])('rejects an IMAGE_URI with %s, exit 2 (D12)', async (_what, image, message) => {
    const run = await new Scenario().run({ IMAGE_URI: image, ALLOWED_REGISTRIES: image.split('/')[0] });

    expect(run.status).toBe(2);
    expect(run.lastErrorLine).toMatch(message);
    expect(run.klarCalls).toHaveLength(0);
  });

  test('rejects a REPORT_DIR that looks like an option, exit 2 (D13)', async () => {
    const run = await new Scenario().answer(IMAGE, []).run({ REPORT_DIR: '--version' });

    expect(run.status).toBe(2);
    expect(run.lastErrorLine).toMatch(/^scan-image: REPORT_DIR must be a directory path \(not starting with '-'/);
    expect(run.klarCalls).toHaveLength(0);
  });

  test('rejects a REPORT_DIR that cannot be created, naming it, before any scan (D13)', async () => {
    const scenario = new Scenario().answer(IMAGE, []);
    const file = scenario.file('not-a-directory', '');
    const run = await scenario.run({ REPORT_DIR: `${file}/reports` });

    expect(run.status).toBe(2);
    expect(run.lastErrorLine).toMatch(
      /^scan-image: REPORT_DIR '\S+\/not-a-directory\/reports' cannot be created or written: /,
    );
    expect(run.klarCalls).toHaveLength(0);
  });

  test('leaves no stale PASS behind when an old report cannot be removed (D13)', async () => {
    const scenario = new Scenario().answer(IMAGE, []);
    const reports = path.join(scenario.dir, 'reports');
    fs.mkdirSync(path.join(reports, 'summary.txt', 'stuck'), { recursive: true });
    fs.writeFileSync(path.join(reports, 'junit.xml'), 'stale PASS');
    const run = await scenario.run();

    expect(run.status).toBe(2);
    expect(run.lastErrorLine).toMatch(/holds reports of an earlier run that cannot be removed: summary\.txt$/);
    expect(run.junit()).toMatchObject({ errors: 1 });
    expect(run.klarCalls).toHaveLength(0);
  });

  test('escapes control characters from allowlist reasons and klar, so no line can overwrite another (D16)', async () => {
    const scenario = new Scenario().answer(IMAGE, [vuln('CVE-2022-0778', 'High')]);
    const text = allowlist(
      '  - id: CVE-2022-0778\n    reason: "ok\\rscan-image: PASS\\u001b[2K"\n    expires: 2099-01-01\n',
    );
    const allowed = await scenario.run({ ALLOWLIST_FILE: scenario.file('allow.yaml', text) });
    const failed = await new Scenario().klarError(IMAGE, 'Failed\r\u001b[2Kscan-image: PASS').run();

    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain('until 2099-01-01: ok\\rscan-image: PASS\\x1b[2K');
    expect(failed.status).toBe(5);
    expect(failed.lastErrorLine).toBe(`scan-image: klar exited 2 on ${IMAGE}: Failed\\r\\x1b[2Kscan-image: PASS`);
    for (const run of [allowed, failed]) {
      expect(run.visible).not.toContain('\r');
      expect(run.visible).not.toContain('\u001b');
    }
  });
});

describe('ALLOWED_REGISTRIES', () => {
  test.each([
    ['IMAGE_URI', { IMAGE_URI: 'elsewhere.example.com/app:1' }],
    ['CANARY_IMAGE_URI', { CANARY_IMAGE_URI: 'elsewhere.example.com/canary:1' }],
    ['IMAGE_URI on another port of an allowed host', { IMAGE_URI: 'registry.internal.example:5001/app:1' }],
  ])('rejects a %s outside the list before klar or Clair sees it, exit 2', async (_what, env) => {
    const run = await new Scenario().answer(IMAGE, []).run(env);

    expect(run.status).toBe(2);
    expect(run.lastErrorLine).toMatch(
      /^scan-image: (CANARY_)?IMAGE_URI is on registry '\S+', which is not in ALLOWED_REGISTRIES \(registry\.internal\.example:5000, /,
    );
    expect(run.klarCalls).toHaveLength(0);
  });

  test.each([
    ['missing', undefined, /^scan-image: ALLOWED_REGISTRIES is required/],
    [
      'malformed',
      'registry.internal.example:5000,https://x',
      /^scan-image: ALLOWED_REGISTRIES must be host\[:port\] entries separated by commas, got 'https:\/\/x'$/,
    ],
  ])('rejects an ALLOWED_REGISTRIES that is %s, exit 2', async (_what, value, message) => {
    const run = await new Scenario().answer(IMAGE, []).run({ ALLOWED_REGISTRIES: value });

    expect(run.status).toBe(2);
    expect(run.lastErrorLine).toMatch(message);
  });

  test('matches hosts in any case, ignoring spaces around entries', async () => {
    const run = await new Scenario()
      .answer(IMAGE, [])
      .run({ ALLOWED_REGISTRIES: ' Registry.Internal.Example:5000 , other.example.com' });

    expect(run.status).toBe(0);
  });
});
