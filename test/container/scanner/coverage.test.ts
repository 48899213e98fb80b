import {
  StubClair,
  clairLayer,
  NAMESPACE_WITH_DATA,
  NAMESPACE_WITHOUT_DATA,
  ClairAnswer,
} from '../../helpers/stubs/clair';
import { LayerFiles, PushedImage, pushImage, testRegistry } from '../../helpers/registry/registry';
import * as http from 'http';
import { AddressInfo } from 'net';
import { APP_REPOSITORY, ECR_PASSWORD, Scenario, ScanRun, vuln } from './scenario';

// scan-image's coverage check against a real registry (scripts/with-registry.sh) and a stub of
// Clair's v1 API; klar stays a stub. The images are pushed once, and the scenarios share them.
// The scenarios run the gate in-process (fast); formats.test.ts runs the command itself on an index,
// its coverage checked.
const test = global.test.concurrent;

const registry = testRegistry();
const OS_RELEASE = (id: string, version: string) => `ID=${id}\nVERSION_ID="${version}"\n`;
const DPKG_OPENSSL = 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\n';

/** The layers of an image, base first. */
const layers = (...files: LayerFiles[]): LayerFiles[] => files;

/** The images of the scenarios: their files say what Clair would find. */
const IMAGES = {
  // Debian 12 with its dpkg database: Clair reads it and holds data for debian:12.
  covered: layers(
    { 'etc/os-release': OS_RELEASE('debian', '12'), 'var/lib/dpkg/status': DPKG_OPENSSL },
    { 'app/run': 'v1' },
  ),
  // Distroless: dpkg data only in status.d/, which Clair v2 does not read.
  distroless: layers({ 'etc/os-release': OS_RELEASE('debian', '12'), 'var/lib/dpkg/status.d/openssl': DPKG_OPENSSL }),
  // FROM scratch: a static binary, no operating system.
  scratch: layers({ 'app/server': 'static binary' }),
  // A release Clair has no data for.
  debian13: layers({ 'etc/os-release': OS_RELEASE('debian', '13'), 'var/lib/dpkg/status': DPKG_OPENSSL }),
  // Packages of two namespaces, one without data.
  mixed: layers(
    { 'etc/os-release': OS_RELEASE('debian', '12'), 'var/lib/dpkg/status': DPKG_OPENSSL },
    { 'ubuntu/layer': '1' },
  ),
  // Images Clair answers badly for.
  unknownLayer: layers({ 'never/analyzed': '1' }),
  clairError: layers({ 'clair/fails': '500' }),
  garbage: layers({ 'clair/answers': 'garbage' }),
  badNamespace: layers({ 'clair/namespace': 'fails' }),
};
type ImageName = keyof typeof IMAGES;

let clair: StubClair;
const pushed = {} as Record<ImageName | 'asset', PushedImage>;

beforeAll(async () => {
  clair = await StubClair.start();
  await Promise.all(
    Object.entries(IMAGES).map(async ([name, layers]) => {
      pushed[name as ImageName] = await pushImage(registry.open, `coverage/${name.toLowerCase()}`, 'v1', layers);
    }),
  );
  // An image without an OS in the account's CDK asset repository, where every image shares the name.
  pushed.asset = await pushImage(registry.open, APP_REPOSITORY, 'static-tool', IMAGES.scratch);

  const openssl = { name: 'openssl', version: '3.0.11-1~deb12u2' };
  const answers: Array<[ImageName, ClairAnswer]> = [
    ['covered', clairLayer(pushed.covered.layerName, 'debian:12', [openssl, { name: 'libc6', version: '2.36-9' }])],
    ['distroless', clairLayer(pushed.distroless.layerName, 'debian:12')],
    ['scratch', clairLayer(pushed.scratch.layerName)],
    ['debian13', clairLayer(pushed.debian13.layerName, 'debian:13', [openssl])],
    [
      'mixed',
      clairLayer(pushed.mixed.layerName, 'debian:12', [
        openssl,
        { name: 'bash', version: '5.2', namespace: 'ubuntu:26.04' },
      ]),
    ],
    ['clairError', { status: 500, body: '{"Error":{"Message":"pq: connection refused"}}' }],
    ['garbage', { status: 200, body: '<html>Bad Gateway</html>' }],
    ['badNamespace', clairLayer(pushed.badNamespace.layerName, 'alpine:v3.20', [{ name: 'musl', version: '1.2' }])],
  ];
  for (const [name, answer] of answers) clair.layer(pushed[name].layerName, answer);
  clair
    .namespace('debian:12', NAMESPACE_WITH_DATA)
    .namespace('debian:13', NAMESPACE_WITHOUT_DATA)
    .namespace('alpine:v3.20', { status: 502, body: 'Bad Gateway' });
});

afterAll(() => clair?.close());

/** Runs the gate on `image` with coverage required (the default), klar finding `findings`. */
function scan(
  image: string,
  env: Record<string, string | undefined> = {},
  findings = [vuln('CVE-1', 'Low')],
): Promise<ScanRun> {
  return new Scenario().answer(image, findings).run({
    IMAGE_URI: image,
    CLAIR_ADDR: clair.url,
    REGISTRY_INSECURE: 'true',
    REQUIRE_COVERAGE: undefined,
    ...env,
  });
}

/** The covered image, by tag, as another of the test registries serves it (they share one storage). */
function coveredAt(host: string): string {
  return pushed.covered.byTag.replace(registry.open, host);
}

/** Lays over scan()'s environment for a registry that speaks HTTPS (scan() defaults to plain http). */
const HTTPS = { REGISTRY_INSECURE: undefined };

/** Runs scan-image with an allowlist file holding `text`. */
function scanWithAllowlist(image: string, text: string): Promise<ScanRun> {
  const scenario = new Scenario().answer(image, []);
  return scenario.run({
    IMAGE_URI: image,
    CLAIR_ADDR: clair.url,
    REGISTRY_INSECURE: 'true',
    REQUIRE_COVERAGE: undefined,
    ALLOWLIST_FILE: scenario.file('allow.yaml', text),
  });
}

describe('not covered: exit 7, naming the reason', () => {
  test.each([
    ['dpkg data only in status.d/', 'distroless', 'no packages found'],
    ['no operating system', 'scratch', 'no operating system detected'],
    ['a namespace without data', 'debian13', 'no vulnerability data for debian:13'],
    ['two namespaces, one without data', 'mixed', 'no vulnerability data for ubuntu:26.04'],
  ] as Array<[string, ImageName, string]>)('fails on %s', async (_what, name, reason) => {
    const run = await scan(pushed[name].byTag);

    expect(run.status).toBe(7);
    expect(run.lastErrorLine).toBe(
      `scan-image: not covered: Clair could not read ${pushed[name].byTag} (${reason}), so no finding proves it clean; see docs/operations.md (exit 7)`,
    );
    expect(run.stdout).toContain(`  coverage:   NOT COVERED: ${reason}\n`);
    expect(run.stdout).toContain(`Verdict: FAIL: 0 counted, but not covered: ${reason}`);
    const junit = run.junit();
    expect(junit).toMatchObject({ failures: 1, errors: 0 });
    expect(junit.cases.filter((c) => c.failure).map((c) => c.name)).toEqual([
      expect.stringMatching(/^coverage: Clair v2 reads operating-system packages only/),
    ]);
  });
});

describe('covered images pass or fail exactly as before', () => {
  test('passes a covered, clean image, showing namespaces and packages', async () => {
    const run = await scan(pushed.covered.byTag);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('  namespaces: debian:12\n  packages:   2 found by Clair\n  coverage:   covered\n');
    expect(run.stdout).toContain('  note:       Clair v2 reads operating-system packages only');
    expect(run.junit()).toMatchObject({ tests: 2, failures: 0, skipped: 0, errors: 0 });
    expect(clair.requestsFor(pushed.covered.layerName)).toContain(
      // Features (coverage) and vulnerabilities with Clair's own severities, in one answer.
      `GET /v1/layers/${pushed.covered.layerName}?features&vulnerabilities`,
    );
    expect(clair.requests).toContain('GET /v1/namespaces/debian:12/vulnerabilities?limit=1');
  });

  test('fails a covered, vulnerable image with exit 1', async () => {
    const run = await scan(pushed.covered.byTag, {}, [vuln('CVE-2023-0464', 'High')]);

    expect(run.status).toBe(1);
    expect(run.stdout).toContain('coverage:   covered');
  });

  test('fails a vulnerable image that is not covered with exit 1: a gap never hides findings', async () => {
    const run = await scan(pushed.debian13.byTag, {}, [vuln('CVE-2023-0464', 'High')]);

    expect(run.status).toBe(1);
    expect(run.stdout).toContain('Verdict: FAIL: 1 counted, more than the 0 tolerated');
    expect(run.stdout).toContain('NOT COVERED: no vulnerability data for debian:13');
  });

  test('fetches the manifest by digest when the image is given by digest', async () => {
    const run = await scan(pushed.covered.byDigest);

    expect(run.status).toBe(0);
  });

  test("fetches an ECR image's manifest as user AWS with the ECR password fetched for klar", async () => {
    // An HTTP proxy stands in for ECR's host: it records the credentials and forwards to the registry.
    const seen: string[] = [];
    const proxy = http.createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization}`);
      const url = new URL(req.url!);
      const upstream = http.get(
        `http://${registry.open}${url.pathname}`,
        // A connection of its own: the global agent would keep it open after the test.
        { headers: { accept: req.headers.accept }, agent: false },
        (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const image = `222222222222.dkr.ecr.eu-central-1.amazonaws.com/coverage/covered@${pushed.covered.digest}`;
      const run = await scan(image, { http_proxy: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });

      expect(run.status).toBe(0);
      expect(run.awsCalls.map((c) => c.argv)).toEqual([['ecr', 'get-login-password', '--region', 'eu-central-1']]);
      const basic = Buffer.from(`AWS:${ECR_PASSWORD}`).toString('base64');
      expect(seen).toEqual([
        `http://222222222222.dkr.ecr.eu-central-1.amazonaws.com/v2/coverage/covered/manifests/${pushed.covered.digest} Basic ${basic}`,
      ]);
      expect(run.visible).not.toContain(ECR_PASSWORD);
    } finally {
      proxy.close();
    }
  });

  test('takes a bearer token from the registry token service with the registry credentials', async () => {
    const image = coveredAt(registry.auth);
    const run = await scan(image, { DOCKER_USER: registry.user, DOCKER_PASSWORD: registry.password });

    expect(run.status).toBe(0);
    expect(run.visible).not.toContain(registry.password);
  });

  test('reads the manifest over HTTPS with Basic credentials, skipping certificate checks only when DOCKER_INSECURE=true', async () => {
    const image = coveredAt(registry.tls);
    const credentials = {
      DOCKER_USER: registry.user,
      DOCKER_PASSWORD: registry.password,
      ...HTTPS,
    };

    const insecure = await scan(image, { ...credentials, DOCKER_INSECURE: 'true' });
    expect(insecure.status).toBe(0);
    expect(insecure.stdout).toContain('coverage:   covered');
    expect(insecure.visible).not.toContain(registry.password);

    // The registry's certificate is self-signed: by default the check refuses it, and the scan fails.
    const verified = await scan(image, credentials);
    expect(verified.status).toBe(5);
    expect(verified.lastErrorLine).toMatch(
      /^scan-image: coverage: cannot fetch the manifest https:\/\/127\.0\.0\.1:\d+\/v2\/coverage\/covered\/manifests\/\S+: self-signed certificate/,
    );
  });

  test('sends DOCKER_TOKEN as the Basic credentials, to a token service and to a Basic registry alike', async () => {
    const token = Buffer.from(`${registry.user}:${registry.password}`).toString('base64');
    const viaTokenService = await scan(coveredAt(registry.auth), {
      DOCKER_TOKEN: token,
    });
    const viaBasic = await scan(coveredAt(registry.tls), {
      DOCKER_TOKEN: token,
      DOCKER_INSECURE: 'true',
      ...HTTPS,
    });

    for (const run of [viaTokenService, viaBasic]) {
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('coverage:   covered');
      expect(run.visible).not.toContain(token);
    }
  });
});

describe('waivers', () => {
  const waiver = (image: string, extra = '', expires = '2030-01-01') =>
    `unscannable:\n  - image: ${image}\n${extra}    reason: "static Go binary, no OS (ticket SEC-7)"\n    expires: ${expires}\n`;
  const digest = () => `    digest: ${pushed.asset.digest}\n`;

  test('passes an image without OS that an unexpired unscannable entry names by digest', async () => {
    const run = await scanWithAllowlist(pushed.asset.byTag, waiver(APP_REPOSITORY, digest()));

    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      'coverage:   not covered (no operating system detected), waived until 2030-01-01: static Go binary, no OS (ticket SEC-7)',
    );
    expect(run.junit()).toMatchObject({ failures: 0, skipped: 1 });
  });

  test('passes an image without OS that an entry names by repository, outside the CDK asset repository', async () => {
    const run = await scanWithAllowlist(pushed.scratch.byTag, waiver('coverage/scratch'));

    expect(run.status).toBe(0);
  });

  test.each([
    ['expired', () => waiver(APP_REPOSITORY, digest(), '2025-01-01'), /Expired unscannable entries/],
    ['for another repository', () => waiver('coverage/scratch'), /NOT COVERED/],
    [
      'for another image of the repository',
      () => waiver(APP_REPOSITORY, `    digest: sha256:${'e'.repeat(64)}\n`),
      /NOT COVERED/,
    ],
  ])('fails when the unscannable entry is %s', async (_what, text, output) => {
    const run = await scanWithAllowlist(pushed.asset.byTag, text());

    expect(run.status).toBe(7);
    expect(run.stdout).toMatch(output);
  });

  test('never lets an unscannable entry allow a finding', async () => {
    const scenario = new Scenario().answer(pushed.scratch.byTag, [vuln('CVE-2023-0464', 'High')]);
    const run = await scenario.run({
      IMAGE_URI: pushed.scratch.byTag,
      CLAIR_ADDR: clair.url,
      REGISTRY_INSECURE: 'true',
      REQUIRE_COVERAGE: undefined,
      ALLOWLIST_FILE: scenario.file('allow.yaml', waiver('coverage/scratch')),
    });

    expect(run.status).toBe(1);
  });

  test.each([
    [
      'malformed',
      waiver('coverage/scratch', '    digest: latest\n'),
      'unscannable entry 1 has a digest that is not sha256:<64 hex>',
    ],
    [
      'for the CDK asset repository without a digest',
      waiver(APP_REPOSITORY),
      `unscannable entry 1 needs a digest: ${APP_REPOSITORY} is a CDK asset repository, where one entry would waive every image`,
    ],
    [
      'without an image',
      'unscannable:\n  - reason: r\n    expires: 2030-01-01\n',
      'unscannable entry 1 needs an image',
    ],
    ['with an unknown key', waiver('coverage/scratch', '    id: CVE-1\n'), 'unscannable entry 1 has unknown key "id"'],
    ['beside another top-level key', `${waiver('coverage/scratch')}owner: me\n`, 'must be a mapping with the keys'],
  ])('rejects an unscannable entry %s with exit 3 before scanning', async (_what, text, message) => {
    const run = await scanWithAllowlist(pushed.asset.byTag, text);

    expect(run.status).toBe(3);
    expect(run.lastErrorLine).toContain(message);
    expect(run.klarCalls).toHaveLength(0);
  });
});

describe('REQUIRE_COVERAGE=false', () => {
  test('passes an image Clair cannot read without asking Clair, saying so', async () => {
    const run = await scan(pushed.unknownLayer.byTag, { REQUIRE_COVERAGE: 'false' });

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('coverage:   not checked (REQUIRE_COVERAGE=false)');
    expect(clair.requestsFor(pushed.unknownLayer.layerName)).toEqual([]);
  });

  test('rejects a REQUIRE_COVERAGE that is not a boolean', async () => {
    const run = await scan(pushed.covered.byTag, { REQUIRE_COVERAGE: 'no' });

    expect(run.status).toBe(2);
    expect(run.lastErrorLine).toBe("scan-image: REQUIRE_COVERAGE must be true or false, got 'no'");
  });
});

describe('fails closed when a coverage call fails', () => {
  test.each([
    [
      'Clair does not know the layer',
      'unknownLayer',
      /^scan-image: coverage: Clair does not know layer [0-9a-f]{128} \(HTTP 404\)/,
    ],
    ['Clair answers 500', 'clairError', /^scan-image: coverage: Clair answered HTTP 500 for layer /],
    [
      'Clair answers garbage',
      'garbage',
      /^scan-image: coverage: layer [0-9a-f]{128}: Clair's layer answer is not JSON$/,
    ],
    [
      'a namespace lookup answers 502',
      'badNamespace',
      /^scan-image: coverage: Clair's answer for namespace alpine:v3.20: HTTP 502$/,
    ],
  ] as Array<[string, ImageName, RegExp]>)('fails with exit 5 when %s', async (_what, name, message) => {
    const run = await scan(pushed[name].byTag);

    expect(run.status).toBe(5);
    expect(run.lastErrorLine).toMatch(message);
    expect(run.junit()).toMatchObject({ errors: 1 });
  });

  test.each([
    [
      'an unknown tag',
      () => `${registry.open}/coverage/covered:missing`,
      /the registry answered HTTP 404 for the manifest/,
    ],
    [
      'an unreachable registry',
      () => '127.0.0.1:1/coverage/covered:v1',
      /cannot fetch the manifest http:\/\/127\.0\.0\.1:1\//,
    ],
  ])('fails with exit 5 on %s', async (_what, image, message) => {
    const run = await scan(image());

    expect(run.status).toBe(5);
    expect(run.lastErrorLine).toMatch(message);
  });

  test('fails with exit 5 when Clair is unreachable for the coverage lookup', async () => {
    const run = await scan(pushed.covered.byTag, { CLAIR_ADDR: 'http://127.0.0.1:1' });

    expect(run.status).toBe(5);
    expect(run.lastErrorLine).toMatch(
      /^scan-image: coverage: cannot ask Clair for layer [0-9a-f]{128}: connect ECONNREFUSED 127\.0\.0\.1:1$/,
    );
  });

  test.each([
    ['wrong credentials', { DOCKER_USER: 'scanner', DOCKER_PASSWORD: 'wrong-password' }],
    ['no credentials', {}],
  ])('fails with exit 4 when the registry refuses %s', async (_what, env) => {
    const image = coveredAt(registry.auth);
    const run = await scan(image, env);

    expect(run.status).toBe(4);
    expect(run.lastErrorLine).toMatch(
      /^scan-image: coverage: the registry's token service \S+ refused the credentials for coverage\/covered \(HTTP 401\)$/,
    );
    expect(run.visible).not.toContain('wrong-password');
  });

  test('fails with exit 4 when a registry with htpasswd behind TLS refuses the credentials', async () => {
    const image = coveredAt(registry.tls);
    const run = await scan(image, {
      DOCKER_USER: registry.user,
      DOCKER_PASSWORD: 'wrong-password',
      DOCKER_INSECURE: 'true',
      ...HTTPS,
    });

    expect(run.status).toBe(4);
    expect(run.lastErrorLine).toBe(
      `scan-image: coverage: the registry ${registry.tls} refused the credentials for the manifest of coverage/covered (HTTP 401)`,
    );
    expect(run.visible).not.toContain('wrong-password');
  });
});
