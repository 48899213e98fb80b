import { HostileRegistry, digestOf, schema2Manifest } from '../../helpers/registry/hostile';
import { NAMESPACE_WITH_DATA, StubClair, clairLayer } from '../../helpers/stubs/clair';
import { Scenario, ScanRun, vuln } from './scenario';

// scan-image against a registry and a Clair that lie (reference/hostile-inputs.md): each test names
// the defect it proves fixed. klar stays a stub; the registry and Clair are in-process stand-ins.
const test = global.test.concurrent;

const EMPTY_LAYER = 'sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4';
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const hex = (d: string) => d.slice('sha256:'.length);
/** A clean image's manifest: Clair knows its layer, Debian 12 with data. */
const CLEAN = schema2Manifest(digest('c'), [digest('1')]);
const CLEAN_LAYER = hex(digest('c')) + hex(digest('1'));
const OPENSSL = { name: 'openssl', version: '3.0.0-1' };

let registry: HostileRegistry;
let clair: StubClair;

beforeAll(async () => {
  [registry, clair] = await Promise.all([HostileRegistry.start(), StubClair.start()]);
  clair.layer(CLEAN_LAYER, clairLayer(CLEAN_LAYER, 'debian:12', [OPENSSL])).namespace('debian:12', NAMESPACE_WITH_DATA);
});
afterAll(() => Promise.all([registry?.close(), clair?.close()]));

/** Scans `<hostile registry>/<reference>` with coverage on; klar (a stub) reports `findings`. */
function scan(reference: string, env: Record<string, string | undefined> = {}, findings = [vuln('CVE-1', 'Low')]) {
  const image = `${registry.host}/${reference}`;
  return new Scenario().answer(image, findings).run({
    IMAGE_URI: image,
    CLAIR_ADDR: clair.url,
    REGISTRY_INSECURE: 'true',
    REQUIRE_COVERAGE: undefined,
    ALLOWED_REGISTRIES: `registry.internal.example:5000,${registry.host}`,
    ...env,
  });
}

const imageScans = (run: ScanRun) => run.klarCalls.filter((c) => (c.image ?? '').includes(registry.host));

test('control: a clean image the registry serves honestly passes, by tag and by its digest', async () => {
  registry.answer('/v2/control/manifests/1', { body: CLEAN, headers: { 'Docker-Content-Digest': digestOf(CLEAN) } });
  registry.answer(`/v2/control/manifests/${digestOf(CLEAN)}`, { body: CLEAN });

  expect((await scan('control:1')).status).toBe(0);
  expect((await scan(`control@${digestOf(CLEAN)}`)).status).toBe(0);
});

describe('D6: digests are verified', () => {
  test('fails 5 when a manifest asked for by digest hashes to another digest, before klar runs', async () => {
    registry.answer(`/v2/d6/manifests/${digest('1')}`, { body: CLEAN });
    const run = await scan(`d6@${digest('1')}`);

    expect(run.status).toBe(5);
    expect(run.lastErrorLine).toBe(
      `scan-image: coverage: the registry ${registry.host} answered a manifest whose sha256 is ${digestOf(CLEAN)}, not ${digest('1')} (the digest asked for): refused`,
    );
    expect(imageScans(run)).toHaveLength(0);
  });

  test("fails 5 when a tag's manifest is not the registry's own Docker-Content-Digest", async () => {
    registry.answer('/v2/d6/manifests/tag', { body: CLEAN, headers: { 'Docker-Content-Digest': digest('2') } });
    const run = await scan('d6:tag');

    expect(run.status).toBe(5);
    expect(run.lastErrorLine).toMatch(/not sha256:2{64} \(its Docker-Content-Digest\): refused$/);
  });
});

describe('D7: token realms stay on the registry', () => {
  test('refuses a realm on another host, never asking it', async () => {
    registry.answer('/v2/d7/manifests/1', {
      status: 401,
      headers: {
        'WWW-Authenticate': `Bearer realm="http://localhost:${registry.host.split(':')[1]}/d7-token",service="x"`,
      },
    });
    registry.answer('/d7-token', { body: '{"AccessKeyId":"A","SecretAccessKey":"S","Token":"SESSION"}' });
    const run = await scan('d7:1', { DOCKER_USER: 'robot', DOCKER_PASSWORD: 'robot-secret-d7' });

    expect(run.status).toBe(5);
    expect(run.lastErrorLine).toMatch(
      /names the token realm http:\/\/localhost:\d+\/d7-token, which is not https on its own host/,
    );
    expect(registry.requests.filter((r) => r.includes('/d7-token'))).toEqual([]);
  });
});

describe('D8: credentials a registry echoes are never shown', () => {
  test('redacts DOCKER_PASSWORD, raw and as Basic base64, from messages and reports', async () => {
    const basic = Buffer.from('robot:robot-secret-d8').toString('base64');
    registry.answer('/v2/d8/manifests/1', {
      status: 401,
      headers: { 'WWW-Authenticate': `Bearer error="you sent Basic ${basic} (robot-secret-d8)"` },
    });
    const run = await scan('d8:1', { DOCKER_USER: 'robot', DOCKER_PASSWORD: 'robot-secret-d8' });

    expect(run.status).toBe(5);
    expect(run.lastErrorLine).toContain(
      'asks for a token without a usable realm: Bearer error="you sent Basic [redacted]',
    );
    expect(run.visible).not.toContain(basic);
    expect(run.visible).not.toContain('robot-secret-d8');
  });
});

describe('D9: one deadline and caps', () => {
  test('ends a scan at SCAN_DEADLINE_SECONDS with a verdict and reports, however slow the registry', async () => {
    registry.answer('/v2/d9/manifests/slow', { body: CLEAN, delayMs: 30000 });
    const started = Date.now();
    // 2 s, which the test waits out: the readiness check before the manifest (one run of the stub
    // klar, well under 0.1 s) must finish well before it, even on a loaded machine.
    const run = await scan('d9:slow', { SCAN_DEADLINE_SECONDS: '2' });

    expect(run.status).toBe(5);
    expect(Date.now() - started).toBeLessThan(20000);
    expect(run.lastErrorLine).toMatch(
      /^scan-image: the scan ran past its deadline of 2 s \(SCAN_DEADLINE_SECONDS\) while asking for the manifest of /,
    );
    expect(run.summary()).toContain('Verdict: ERROR: the scan ran past its deadline');
    expect(run.junit()).toMatchObject({ errors: 1 });
  });

  test.each([
    [
      'more layers than the cap',
      schema2Manifest(
        digest('c'),
        Array.from({ length: 129 }, (_, i) => `sha256:${i.toString(16).padStart(64, '0')}`),
      ),
      "the manifest has 129 layers, more than the gate's cap of 128",
    ],
    [
      'a manifest larger than the cap',
      Buffer.alloc(4 * 1024 * 1024 + 1, ' '),
      "is larger than the gate's cap of 4 MiB",
    ],
  ])('fails 5 on %s, naming the cap, before klar runs', async (_what, body, message) => {
    const path = `caps${body.length}`;
    registry.answer(`/v2/${path}/manifests/1`, { body });
    const run = await scan(`${path}:1`);

    expect(run.status).toBe(5);
    expect(run.lastErrorLine).toContain(message);
    expect(imageScans(run)).toHaveLength(0);
  });

  test('fails 5 on a Clair answer over its cap, naming the cap', async () => {
    const manifest = schema2Manifest(digest('f'), [digest('1')]);
    const layer = hex(digest('f')) + hex(digest('1'));
    registry.answer('/v2/clair-cap/manifests/1', { body: manifest });
    // 32 MiB of name, sent as the connection takes it. Its Content-Length says so, and the gate
    // refuses it before reading it (reading 32 MiB costs about half a second of CPU); an answer
    // without one is refused as it streams in (the manifest over its cap, above).
    const [start, end, spaces] = [Buffer.from('{"Layer":{"Name":"'), Buffer.from('"}}'), Buffer.alloc(64 * 1024, ' ')];
    const chunks = 512;
    function* body() {
      yield start;
      for (let i = 0; i < chunks; i++) yield spaces;
      yield end;
    }
    const length = start.length + chunks * spaces.length + end.length;
    clair.layer(layer, { status: 200, headers: { 'Content-Length': String(length) }, chunks: body });
    const run = await scan('clair-cap:1');

    expect(run.status).toBe(5);
    expect(run.lastErrorLine).toBe(
      `scan-image: coverage: Clair's answer for layer ${layer} is larger than the gate's cap of 32 MiB`,
    );
  });
});

describe('D11: refused credentials', () => {
  test('exit 4 when the registry refuses Basic credentials, before klar runs', async () => {
    registry.answer('/v2/d11/manifests/1', { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="registry"' } });
    const run = await scan('d11:1', { DOCKER_USER: 'robot', DOCKER_PASSWORD: 'wrong-password' });

    expect(run.status).toBe(4);
    expect(run.lastErrorLine).toBe(
      `scan-image: coverage: the registry ${registry.host} refused the credentials for the manifest of d11 (HTTP 401)`,
    );
    expect(imageScans(run)).toHaveLength(0);
  });
});

describe("D15: klar's empty-layer rule", () => {
  test('asks Clair about the layer klar analyzed when the top layer is the legacy empty layer', async () => {
    registry.answer('/v2/d15/manifests/1', { body: schema2Manifest(digest('c'), [digest('1'), EMPTY_LAYER]) });
    const run = await scan('d15:1');

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('coverage:   covered');
  });
});

describe('D1 and D14: namespace names are data', () => {
  test('an image naming its own namespace with dot segments or globs is not covered, and nothing else is asked', async () => {
    const manifest = schema2Manifest(digest('d'), [digest('1')]);
    const layer = hex(digest('d')) + hex(digest('1'));
    registry.answer('/v2/d1/manifests/1', { body: manifest });
    clair.layer(layer, clairLayer(layer, 'debian:12/x/..', [OPENSSL, { ...OPENSSL, name: 'bash', namespace: '*' }]));
    const before = clair.requests.length;
    const run = await scan('d1:1');

    expect(run.status).toBe(7);
    expect(run.lastErrorLine).toContain(
      'malformed namespace "*", not asked about; malformed namespace "debian:12/x/..", not asked about',
    );
    expect(clair.requests.slice(before).filter((r) => r.includes('/v1/namespaces/'))).toEqual([]);
  });
});

describe("D5: severities are Clair's own", () => {
  test('counts what Clair reports with severities klar would drop: "high" as High, "Important" as Unknown', async () => {
    const manifest = schema2Manifest(digest('e'), [digest('1')]);
    const layer = hex(digest('e')) + hex(digest('1'));
    registry.answer('/v2/d5/manifests/1', { body: manifest });
    const vulnerability = (name: string, severity: string) => ({
      Name: name,
      NamespaceName: 'debian:12',
      Severity: severity,
      FixedBy: '3.0.1-1',
    });
    clair.layer(layer, {
      status: 200,
      body: JSON.stringify({
        Layer: {
          Name: layer,
          NamespaceName: 'debian:12',
          Features: [
            {
              Name: 'openssl',
              NamespaceName: 'debian:12',
              Version: '3.0.0-1',
              Vulnerabilities: [vulnerability('CVE-2099-0001', 'high'), vulnerability('CVE-2099-0002', 'Important')],
            },
          ],
        },
      }),
    });
    const run = await scan('d5:1', {}, []);

    expect(run.status).toBe(1);
    expect(run.stdout).toContain('CVE-2099-0001 [High (reported as "high")] openssl 3.0.0-1');
    expect(run.stdout).toContain('CVE-2099-0002 [Unknown (reported as "Important")] openssl 3.0.0-1');
  });
});
