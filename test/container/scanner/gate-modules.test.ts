import * as http from 'http';
import { AddressInfo } from 'net';
import {
  MAX_ALLOWLIST_BYTES,
  allowlistText,
  klarWhitelist,
  parseAllowlist,
} from '../../../container/scanner/gate/allowlist';
import { LayerReport, VulnerabilityBackend } from '../../../container/scanner/gate/backend';
import { encodePathSegment, readLayer } from '../../../container/scanner/gate/clair-v1';
import { checkCoverage } from '../../../container/scanner/gate/coverage';
import { Deadline, DeadlineError } from '../../../container/scanner/gate/deadline';
import { GateError } from '../../../container/scanner/gate/errors';
import { findingOf, onePerPair, readKlarReport } from '../../../container/scanner/gate/findings';
import { HttpClient, TooLargeError, TransportError } from '../../../container/scanner/gate/http';
import { parseAllowedRegistries, parseImageRef } from '../../../container/scanner/gate/image-ref';
import { klarCause } from '../../../container/scanner/gate/klar';
import { run as runProcess } from '../../../container/scanner/gate/process';
import { EMPTY_LAYER, MAX_LAYERS, readManifest } from '../../../container/scanner/gate/registry';
import { normalizeSeverity } from '../../../container/scanner/gate/severity';
import { addSecret, clearSecrets, escapeControls, redact } from '../../../container/scanner/gate/text';
import { ClairAnswer, clairLayer } from '../../helpers/stubs/clair';

// The gate's modules called directly: fast, and each rule in one place. The black-box suites
// (scan-image, coverage, hostile) prove the command around them.

/** The exit code and message a call fails with. */
function failure(call: () => unknown): { code: number; message: string } {
  try {
    call();
  } catch (error) {
    if (error instanceof GateError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('did not fail');
}

const CONFIG = `sha256:${'c'.repeat(64)}`;
const LAYER = (n: number) => `sha256:${String(n).repeat(64)}`;
const schema2 = (extra: object = {}) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { digest: CONFIG },
    layers: [1, 2, 3].map((n) => ({ digest: LAYER(n) })),
    ...extra,
  });

describe("the manifest: klar's layer name and what klar v2.4.0 cannot read", () => {
  test('names the config digest and the last layer digest, without sha256: prefixes', () => {
    expect(readManifest(schema2(), '').layerName).toBe('c'.repeat(64) + '3'.repeat(64));
  });

  test('takes the media type from Content-Type when the manifest omits it', () => {
    const manifest = JSON.parse(schema2());
    delete manifest.mediaType;
    expect(
      readManifest(JSON.stringify(manifest), 'application/vnd.docker.distribution.manifest.v2+json').layerName,
    ).toBe('c'.repeat(64) + '3'.repeat(64));
  });

  test('drops legacy empty layers as klar does, naming the last layer klar analyzed (D15)', () => {
    const manifest = schema2({
      layers: [{ digest: LAYER(1) }, { digest: EMPTY_LAYER }, { digest: LAYER(2) }, { digest: EMPTY_LAYER }],
    });
    expect(readManifest(manifest, '')).toMatchObject({
      layers: [LAYER(1), LAYER(2)],
      layerName: 'c'.repeat(64) + '2'.repeat(64),
    });
  });

  test.each([
    ['an OCI manifest', schema2({ mediaType: 'application/vnd.oci.image.manifest.v1+json' }), /OCI manifest/],
    [
      'a manifest list',
      schema2({ mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json' }),
      /manifest list/,
    ],
    ['an OCI index', schema2({ mediaType: 'application/vnd.oci.image.index.v1+json' }), /manifest list/],
    ['schema 1', JSON.stringify({ schemaVersion: 1, fsLayers: [] }), /not Docker schema 2/],
    ['no layers', schema2({ layers: [] }), /no layers/],
    ['only empty layers', schema2({ layers: [{ digest: EMPTY_LAYER }] }), /only empty layers/],
    ['a layer without a sha256 digest', schema2({ layers: [{ digest: 'md5:x' }] }), /do not all have sha256 digests/],
    ['a config digest that is not sha256', schema2({ config: { digest: 'md5:abc' } }), /no sha256 config digest/],
    ['not JSON', '<html>', /the manifest is not JSON/],
    ['JSON that is not an object', '[]', /not a JSON object/],
    [
      `more than ${MAX_LAYERS} layers (D9)`,
      schema2({
        layers: Array.from({ length: MAX_LAYERS + 1 }, (_, i) => ({
          digest: `sha256:${i.toString(16).padStart(64, '0')}`,
        })),
      }),
      new RegExp(`${MAX_LAYERS + 1} layers, more than the gate's cap of ${MAX_LAYERS}`),
    ],
  ])('rejects %s with exit 5', (_what, manifest, message) => {
    const { code, message: text } = failure(() => readManifest(manifest, ''));
    expect(code).toBe(5);
    expect(text).toMatch(message);
  });
});

describe('coverage', () => {
  const NAME = 'c'.repeat(64) + '3'.repeat(64);
  const openssl = { name: 'openssl', version: '3.0.11' };

  /** A backend answering namespace questions from `answers` (status 200 with data, else not), recording them. */
  function backend(withData: string[]): VulnerabilityBackend & { asked: string[] } {
    const asked: string[] = [];
    return {
      asked,
      layer: () => Promise.reject(new Error('not asked')),
      hasData: (namespace) => {
        asked.push(namespace);
        return Promise.resolve(withData.includes(namespace));
      },
    };
  }
  const gaps = async (answer: ClairAnswer, withData: string[] = []) =>
    (await checkCoverage(readLayer(answer.body, NAME), backend(withData))).gaps;

  test('covers packages in a namespace that holds data', async () => {
    expect(await gaps(clairLayer(NAME, 'debian:12', [openssl]), ['debian:12'])).toEqual([]);
  });

  test.each([
    ['a layer without NamespaceName', clairLayer(NAME), ['no operating system detected']],
    ['a namespace but no Features', clairLayer(NAME, 'debian:12'), ['no packages found']],
    ['a namespace without data', clairLayer(NAME, 'debian:13', [openssl]), ['no vulnerability data for debian:13']],
    [
      'two namespaces, one without data',
      clairLayer(NAME, 'debian:12', [openssl, { ...openssl, namespace: 'ubuntu:26.04' }]),
      ['no vulnerability data for ubuntu:26.04'],
    ],
  ])('is not covered with %s', async (_what, answer, expected) => {
    expect(await gaps(answer, ['debian:12'])).toEqual(expected);
  });

  test.each(['debian:12/x/..', '*', 'debian:12?x', 'Debian:12', 'debian', ''])(
    'never asks about the malformed namespace %j: not covered (D1, D14)',
    async (namespace) => {
      const asking = backend(['debian:12']);
      const report: LayerReport = { os: 'debian:12', packages: 1, namespaces: [namespace], findings: [] };
      expect((await checkCoverage(report, asking)).gaps).toEqual([
        `malformed namespace ${JSON.stringify(namespace)}, not asked about`,
      ]);
      expect(asking.asked).toEqual([]);
    },
  );

  test('percent-encodes a path segment so that no name leaves its place in the path (D1)', () => {
    expect(encodePathSegment('debian:12')).toBe('debian:12');
    expect(encodePathSegment('debian:12/x/..')).toBe('debian:12%2Fx%2F..');
    expect(encodePathSegment('..')).toBe('%2E%2E');
    expect(encodePathSegment('a b?c#d*')).toBe('a%20b%3Fc%23d%2A');
  });

  test.each([
    ['an answer that is not JSON', 'Bad Gateway', /Clair's layer answer is not JSON/],
    ['an answer without Layer', '{"Error":{"Message":"x"}}', /has no Layer object/],
    ['Features that are not objects', '{"Layer":{"Features":[1]}}', /Features that are not a list of objects/],
    [
      'a vulnerability without a Name',
      '{"Layer":{"Features":[{"Name":"a","Vulnerabilities":[{}]}]}}',
      /without a Name/,
    ],
  ])('fails 5 on %s', (_what, body, message) => {
    const { code, message: text } = failure(() => readLayer(body, NAME));
    expect(code).toBe(5);
    expect(text).toMatch(message);
  });

  test('reads the features and their vulnerabilities with the severities Clair gave them (D5)', () => {
    const body = JSON.stringify({
      Layer: {
        NamespaceName: 'debian:12',
        Features: [{ Name: 'openssl', Version: '3.0.0', Vulnerabilities: [{ Name: 'CVE-1', Severity: 'CRITICAL' }] }],
      },
    });
    expect(readLayer(body, NAME)).toMatchObject({
      os: 'debian:12',
      packages: 1,
      namespaces: ['debian:12'],
      findings: [
        {
          Name: 'CVE-1',
          FeatureName: 'openssl',
          FeatureVersion: '3.0.0',
          Severity: 'Critical',
          reportedSeverity: 'CRITICAL',
        },
      ],
    });
  });
});

describe('severities and findings', () => {
  test.each([
    ['High', 'High'],
    ['high', 'High'],
    [' CRITICAL ', 'Critical'],
    ['Important', 'Unknown'],
    ['', 'Unknown'],
    [undefined, 'Unknown'],
    [7, 'Unknown'],
  ])('reads the severity %j as %s (D5)', (reported, severity) => {
    expect(normalizeSeverity(reported)).toBe(severity);
  });

  test("keeps klar's groups under any name, an item's own severity first", () => {
    const report = readKlarReport(
      JSON.stringify({
        LayerCount: 2,
        Vulnerabilities: { high: [{ Name: 'A' }], Low: [{ Name: 'B', Severity: 'Medium' }] },
      }),
    );
    expect(report?.findings.map((f) => [f.Name, f.Severity])).toEqual([
      ['A', 'High'],
      ['B', 'Medium'],
    ]);
  });

  test.each([
    ['not JSON', 'x'],
    ['no layers', '{"LayerCount":0,"Vulnerabilities":{}}'],
    ['groups that are not lists', '{"LayerCount":1,"Vulnerabilities":{"High":{}}}'],
    ['an item without a Name', '{"LayerCount":1,"Vulnerabilities":{"High":[{}]}}'],
  ])("refuses klar's report with %s", (_what, text) => {
    expect(readKlarReport(text)).toBeUndefined();
  });

  test('counts a pair reported twice with the severity that counts, then the highest (D4)', () => {
    const f = (severity: string) => findingOf({ Name: 'CVE-1', FeatureName: 'openssl' }, severity);
    const countsAtHigh = (x: { rank: number; Severity: string }) => x.rank >= 4 || x.Severity === 'Unknown';
    expect(onePerPair([f('Low'), f('Unknown')], countsAtHigh).map((x) => x.Severity)).toEqual(['Unknown']);
    expect(onePerPair([f('Critical'), f('Medium')]).map((x) => x.Severity)).toEqual(['Critical']);
    expect(onePerPair([f('Low'), findingOf({ Name: 'CVE-1', FeatureName: 'libssl' }, 'Low')])).toHaveLength(2);
  });
});

describe('the allowlist', () => {
  const entry = (extra = '') => `  - id: CVE-1\n    reason: r\n    expires: 2030-01-01\n${extra}`;

  test.each([
    [
      'a duplicate key in an entry (D3)',
      `allow:\n${entry('    expires: 2099-01-01\n')}`,
      /a duplicate key at line 5, column 5/,
    ],
    ['a duplicate list (D3)', `allow:\n${entry()}allow: []\n`, /a duplicate key at line 5, column 1/],
    ['a Python tag', `allow:\n  - !!python/object:os.system {}\n`, /not valid YAML/],
    [
      'an alias bomb',
      `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nallow: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
      /not valid YAML \(Excessive alias count/,
    ],
  ])('refuses %s with exit 3', (_what, text, message) => {
    const { code, message: problem } = failure(() => parseAllowlist(text, 'allow.yaml', '2025-06-01'));
    expect(code).toBe(3);
    expect(problem).toMatch(message);
  });

  test("renders klar's whitelist for the live entries, JSON-quoted", () => {
    const allowlist = parseAllowlist(
      `allow:\n${entry()}${entry('    image: team/app\n')}  - id: CVE-0\n    reason: r\n    expires: 2020-01-01\n`,
      'allow.yaml',
      '2025-06-01',
    );
    expect(klarWhitelist(allowlist)).toBe('general:\n  - "CVE-1"\nimages:\n  "team/app":\n    - "CVE-1"\n');
  });
});

describe('caps and the deadline on processes and inputs', () => {
  const deadline = () => new Deadline(10);

  test("kills a child whose output exceeds the cap (klar's report, D9)", async () => {
    const run = runProcess(
      'sh',
      ['-c', 'exec head -c 5000 /dev/zero'],
      { PATH: '/usr/bin:/bin' },
      { deadline: deadline(), maxStdout: 1000, what: 'yes' },
    );
    await expect(run).rejects.toThrow(new TooLargeError('the output of yes', 1000));
  });

  test("kills a child at the scan's deadline (D9)", async () => {
    const started = Date.now();
    const run = runProcess(
      'sleep',
      ['5'],
      { PATH: '/usr/bin:/bin' },
      { deadline: new Deadline(0.2), maxStdout: 1000, what: 'sleeping' },
    );
    await expect(run).rejects.toThrow(DeadlineError);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  test('refuses an allowlist over its cap, exit 3 (D9: a 50 MB reason was printed whole)', () => {
    const env = { ALLOWLIST_B64: Buffer.from(`allow: []\n#${'x'.repeat(MAX_ALLOWLIST_BYTES)}`).toString('base64') };
    expect(failure(() => allowlistText(env, () => Buffer.alloc(0)))).toEqual({
      code: 3,
      message: "bad allowlist from ALLOWLIST_B64: larger than the gate's cap of 1 MiB",
    });
  });
});

describe('text shown to readers', () => {
  afterEach(clearSecrets);

  test('redacts registered credentials raw, as Basic base64 and percent-encoded (D8)', () => {
    addSecret('p@ss word', 'robot');
    const basic = Buffer.from('robot:p@ss word').toString('base64');
    expect(redact(`a p@ss word b ${basic} c p%40ss%20word`)).toBe('a [redacted] b [redacted] c [redacted]');
  });

  test('escapes every control character (D16)', () => {
    expect(escapeControls('a\rb\nc\td\u001be\u009bf\u007f\u2028')).toBe('a\\rb\\nc\\td\\x1be\\x9bf\\x7f\\u2028');
  });

  test.each([
    [
      'Failed to analyze using API v1: push error 500: x\nFailed to analyze, exiting\n',
      'Failed to analyze using API v1: push error 500: x',
    ],
    ["Can't pull image: 401\n", "Can't pull image: 401"],
    ['panic: boom\n\ngoroutine 1:\n\tmain.go:74 +0x5da\n', 'klar crashed: panic: boom'],
    ['', 'no message'],
  ])("names klar's cause from %j (D10)", (stderr, cause) => {
    expect(klarCause(stderr)).toBe(cause);
  });
});

describe('image references and registries', () => {
  test('reads registry, repository and tag or digest', () => {
    expect(parseImageRef('IMAGE_URI', 'Registry.Example.com:5000/team/app:1')).toMatchObject({
      registry: 'registry.example.com:5000',
      host: 'registry.example.com',
      repository: 'team/app',
      reference: '1',
      byDigest: false,
    });
  });

  test.each(['r.example.com:0/a:1', 'r.example.com:065/a:1', 'r.example.com:65536/a:1'])(
    'refuses the port of %s (D12)',
    (uri) => {
      expect(failure(() => parseImageRef('IMAGE_URI', uri)).code).toBe(2);
    },
  );

  test('reads ALLOWED_REGISTRIES as lower-case host[:port] entries', () => {
    expect(parseAllowedRegistries('A.example.com:443, b.example.com')).toEqual(['a.example.com:443', 'b.example.com']);
    expect(failure(() => parseAllowedRegistries('a.example.com,')).code).toBe(2);
    expect(failure(() => parseAllowedRegistries('a.example.com:70000')).code).toBe(2);
  });
});

describe('the HTTP client', () => {
  let server: http.Server;
  let base: string;
  const timers: NodeJS.Timeout[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/slow') timers.push(setTimeout(() => res.end('late'), 2000));
      else res.end('x'.repeat(2048));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    timers.forEach(clearTimeout);
    server.closeAllConnections();
    server.close();
  });
  const get = (path: string, deadline: Deadline, opts: { timeoutMs?: number; maxBytes?: number } = {}) =>
    new HttpClient(deadline).get(`${base}${path}`, {
      timeoutMs: opts.timeoutMs ?? 10000,
      maxBytes: opts.maxBytes ?? 4096,
      what: 'the answer',
    });

  test('reads an answer within its cap', async () => {
    expect((await get('/', new Deadline(10))).body.length).toBe(2048);
  });

  test('refuses an answer over its cap, naming the cap (D9)', async () => {
    await expect(get('/', new Deadline(10), { maxBytes: 1024 })).rejects.toThrow(new TooLargeError('the answer', 1024));
  });

  test('ends a request at its own timeout', async () => {
    await expect(get('/slow', new Deadline(10), { timeoutMs: 100 })).rejects.toThrow(TransportError);
  });

  test("ends a request at the scan's deadline, saying so (D9)", async () => {
    await expect(get('/slow', new Deadline(0.1))).rejects.toThrow(DeadlineError);
  });
});
