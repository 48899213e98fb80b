import * as fs from 'fs';
import * as path from 'path';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  LayerFiles,
  OCI_INDEX,
  OCI_MANIFEST,
  OCI_ZSTD_LAYER,
  Platform,
  PushedImage,
  PushedIndex,
  pushImage,
  pushIndex,
  pushSchema1,
  testRegistry,
} from '../../helpers/registry/registry';
import { StubClair, clairLayer, NAMESPACE_WITH_DATA } from '../../helpers/stubs/clair';
import { Scenario, ScanRun, vuln } from './scenario';

// The image formats teams push (reference/image-formats.md), pushed to a real registry
// (scripts/with-registry.sh) with the project's image writer: OCI manifests, BuildKit's OCI index
// with a provenance attestation, Docker manifest lists (one whose platforms differ), zstd layers.
// klar and Clair are stubs that agree on each image's content: a vulnerable image's openssl has
// CVE-2023-0464 (High). The runs call the gate's main() in this process; one (BuildKit's index)
// runs the scan-image command itself.
const test = global.test.concurrent;

const registry = testRegistry();
const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const ARM64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };
const CVE = 'CVE-2023-0464';

/** Debian 12 with openssl, vulnerable or fixed, and a file naming the image (so each has its own layers). */
function content(vulnerable: boolean, name: string): LayerFiles[] {
  const version = vulnerable ? '3.0.11-1~deb12u2' : '3.0.15-1~deb12u1';
  return [
    {
      'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
      'var/lib/dpkg/status': `Package: openssl\nStatus: install ok installed\nVersion: ${version}\n`,
    },
    { 'app/image': name },
  ];
}

let clair: StubClair;
let schema1: { byTag: string; digest: string };
/** Every platform image pushed, with whether its content is vulnerable. */
const images: Array<{ image: PushedImage; vulnerable: boolean }> = [];
const pushed = {} as Record<'ociVulnerable' | 'ociClean' | 'zstd', PushedImage> &
  Record<'buildkitVulnerable' | 'buildkitClean' | 'listVulnerable' | 'listMixed' | 'indexZstd', PushedIndex>;
const platformImage = {} as Record<'amd64Clean' | 'arm64Vulnerable' | 'arm64Zstd', PushedImage>;

/** Pushes one platform's image and tells the stub Clair what it holds. */
async function push(
  repository: string,
  tag: string,
  vulnerable: boolean,
  platform: Platform,
  mediaType: string,
  layerMediaType?: string,
): Promise<PushedImage> {
  const image = await pushImage(registry.open, repository, tag, content(vulnerable, `${repository}:${tag}`), {
    mediaType,
    layerMediaType,
    platform,
  });
  images.push({ image, vulnerable });
  const fix = { Name: CVE, Severity: 'High', FixedBy: '3.0.15-1~deb12u1' };
  clair.layer(
    image.layerName,
    clairLayer(image.layerName, 'debian:12', [
      {
        name: 'openssl',
        version: vulnerable ? '3.0.11-1~deb12u2' : '3.0.15-1~deb12u1',
        vulnerabilities: vulnerable ? [fix] : [],
      },
    ]),
  );
  return image;
}

beforeAll(async () => {
  clair = await StubClair.start();
  clair.namespace('debian:12', NAMESPACE_WITH_DATA);
  // Each repository's images, then its indexes; the repositories side by side.
  await Promise.all([
    (async () => {
      schema1 = await pushSchema1(registry.open, 'formats/schema1', 'v1', content(true, 'formats/schema1:v1'));
    })(),
    (async () => {
      pushed.ociVulnerable = await push('formats/oci', 'vulnerable', true, AMD64, OCI_MANIFEST);
      pushed.ociClean = await push('formats/oci', 'clean', false, AMD64, OCI_MANIFEST);
      pushed.buildkitVulnerable = await pushIndex(
        registry.open,
        'formats/oci',
        'index-vulnerable',
        OCI_INDEX,
        [{ image: pushed.ociVulnerable, platform: AMD64 }],
        true,
      );
      pushed.buildkitClean = await pushIndex(
        registry.open,
        'formats/oci',
        'index-clean',
        OCI_INDEX,
        [{ image: pushed.ociClean, platform: AMD64 }],
        true,
      );
    })(),
    (async () => {
      const amd64Vulnerable = await push('formats/list', 'amd64-vulnerable', true, AMD64, DOCKER_MANIFEST);
      platformImage.amd64Clean = await push('formats/list', 'amd64-clean', false, AMD64, DOCKER_MANIFEST);
      platformImage.arm64Vulnerable = await push('formats/list', 'arm64-vulnerable', true, ARM64, DOCKER_MANIFEST);
      pushed.listVulnerable = await pushIndex(registry.open, 'formats/list', 'vulnerable', DOCKER_MANIFEST_LIST, [
        { image: amd64Vulnerable, platform: AMD64 },
        { image: platformImage.arm64Vulnerable, platform: ARM64 },
      ]);
      pushed.listMixed = await pushIndex(registry.open, 'formats/list', 'mixed', DOCKER_MANIFEST_LIST, [
        { image: platformImage.amd64Clean, platform: AMD64 },
        { image: platformImage.arm64Vulnerable, platform: ARM64 },
      ]);
    })(),
    (async () => {
      pushed.zstd = await push('formats/zstd', 'v1', true, AMD64, OCI_MANIFEST, OCI_ZSTD_LAYER);
      const amd64 = await push('formats/zstd', 'amd64', false, AMD64, OCI_MANIFEST);
      platformImage.arm64Zstd = await push('formats/zstd', 'arm64', false, ARM64, OCI_MANIFEST, OCI_ZSTD_LAYER);
      pushed.indexZstd = await pushIndex(
        registry.open,
        'formats/zstd',
        'index',
        OCI_INDEX,
        [
          { image: amd64, platform: AMD64 },
          { image: platformImage.arm64Zstd, platform: ARM64 },
        ],
        true,
      );
    })(),
  ]);
});

afterAll(() => clair?.close());

/** `host/repository` of an image reference, by tag or by digest. */
const repositoryOf = (ref: string) => ref.replace(/@.*$|:[^:/]*$/, '');

/**
 * A scenario where klar reports, for every image pushed to the repository of `image` (by tag and by
 * digest: what the gate may scan for it), what its content holds, as Clair would.
 */
function scenario(image: string): Scenario {
  const s = new Scenario();
  for (const { image: pushedImage, vulnerable } of images) {
    if (repositoryOf(pushedImage.byTag) !== repositoryOf(image)) continue;
    for (const ref of [pushedImage.byTag, pushedImage.byDigest]) s.answer(ref, vulnerable ? [vuln(CVE, 'High')] : []);
  }
  return s;
}

/** The gate's environment for an image of the test registry, coverage required unless said. */
const envFor = (image: string, env: Record<string, string | undefined> = {}) => ({
  IMAGE_URI: image,
  CLAIR_ADDR: clair.url,
  REQUIRE_COVERAGE: undefined,
  ...env,
});

/** Runs the gate's main() on an image. */
const gate = (image: string, env: Record<string, string | undefined> = {}): Promise<ScanRun> =>
  scenario(image).run(envFor(image, env));

/** The images klar was asked to scan, the canary left out. */
const scanned = (run: ScanRun) => run.klarCalls.map((c) => c.image).slice(1);

describe('OCI image manifests are read like Docker schema 2', () => {
  test.each([
    ['by tag', () => pushed.ociVulnerable.byTag],
    ['by digest', () => pushed.ociVulnerable.byDigest],
  ])('fails a vulnerable OCI image (%s) with exit 1 on its findings', async (_what, image) => {
    const run = await gate(image());

    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`${CVE} [High] openssl`);
    expect(run.stdout).toContain('coverage:   covered');
    // The coverage check asks Clair about the layer klar names: <config hex><top layer hex>.
    expect(clair.requestsFor(pushed.ociVulnerable.layerName).length).toBeGreaterThan(0);
  });

  test('passes a clean OCI image, covered', async () => {
    const run = await gate(pushed.ociClean.byTag);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('coverage:   covered');
  });
});

describe('indexes and manifest lists: every platform is scanned by its digest', () => {
  test("fails BuildKit's vulnerable OCI index (image + provenance attestation) with exit 1, skipping the attestation", async () => {
    const image = pushed.buildkitVulnerable.byTag;
    const run = await scenario(image).runProcess(envFor(image));

    expect(run.status).toBe(1);
    expect(scanned(run)).toEqual([pushed.ociVulnerable.byDigest]);
    expect(run.lastErrorLine).toBe(
      'scan-image: vulnerabilities counted on linux/amd64 (1) (at or above High, not allowed), more than MAX_VULNERABILITIES=0',
    );
    const summary = run.summary();
    expect(summary).toContain(`  index:      ${pushed.buildkitVulnerable.digest}\n`);
    expect(summary).toContain('  platforms:  linux/amd64 scanned; 1 attestation manifest skipped\n');
    expect(summary).toContain(`  platform:   linux/amd64 (${pushed.ociVulnerable.digest})\n`);
    expect(summary).toContain('Verdict: FAIL: linux/amd64 failed (1 of 1 platforms)');
    expect(run.junit()).toMatchObject({ suites: [`${image} linux/amd64`], failures: 1 });
  });

  test('passes a clean index with exit 0', async () => {
    const run = await gate(pushed.buildkitClean.byDigest);

    expect(run.status).toBe(0);
    expect(scanned(run)).toEqual([pushed.ociClean.byDigest]);
    expect(run.summary()).toContain('Verdict: PASS: every platform passed (1)');
    // Its deployed policy is recorded under the index's digest and the platform's: a runtime may report either.
    expect(fs.readdirSync(path.join(run.reportDir, 'deployed-policies')).sort()).toEqual(
      [pushed.buildkitClean.digest, pushed.ociClean.digest].map((d) => d.slice('sha256:'.length)).sort(),
    );
  });

  test('fails a Docker manifest list vulnerable on both platforms with exit 1, naming each', async () => {
    const run = await gate(pushed.listVulnerable.byTag);

    expect(run.status).toBe(1);
    expect(run.lastErrorLine).toContain('vulnerabilities counted on linux/amd64 (1), linux/arm64/v8 (1)');
    const junit = run.junit();
    expect(junit.suites).toEqual([
      `${pushed.listVulnerable.byTag} linux/amd64`,
      `${pushed.listVulnerable.byTag} linux/arm64/v8`,
    ]);
    expect(junit.cases.filter((c) => c.failure).map((c) => c.classname)).toEqual([
      'linux/amd64.openssl',
      'linux/arm64/v8.openssl',
    ]);
  });

  test('fails a list whose arm64 image alone is vulnerable with exit 1, also with REQUIRE_COVERAGE=false', async () => {
    const run = await gate(pushed.listMixed.byTag, { REQUIRE_COVERAGE: 'false' });

    expect(run.status).toBe(1);
    expect(scanned(run)).toEqual([platformImage.amd64Clean.byDigest, platformImage.arm64Vulnerable.byDigest]);
    expect(run.lastErrorLine).toContain('vulnerabilities counted on linux/arm64/v8 (1) (at or above High');
    expect(run.summary()).toContain('Verdict: FAIL: linux/arm64/v8 failed (1 of 2 platforms)');
    expect(run.summary()).toContain('  coverage:   not checked (REQUIRE_COVERAGE=false)');
  });

  test.each([
    ['linux/amd64', 0, () => [platformImage.amd64Clean.byDigest]],
    ['linux/arm64', 1, () => [platformImage.arm64Vulnerable.byDigest]],
    [' Linux/ARM64/v8 , windows/amd64', 1, () => [platformImage.arm64Vulnerable.byDigest]],
  ])('scans only PLATFORMS=%s', async (platforms, status, expected) => {
    const run = await gate(pushed.listMixed.byTag, { PLATFORMS: platforms });

    expect(run.status).toBe(status);
    expect(scanned(run)).toEqual(expected());
  });

  test('fails with exit 5 when the index holds none of PLATFORMS, naming what it holds', async () => {
    const run = await gate(pushed.listMixed.byTag, { PLATFORMS: 'linux/s390x' });

    expect(run.status).toBe(5);
    expect(run.lastErrorLine).toBe(
      'scan-image: index: the index holds no image for PLATFORMS=linux/s390x (it has linux/amd64, linux/arm64/v8); push the platform you deploy, or set scan.platforms to one it holds',
    );
  });

  test('rejects a malformed PLATFORMS with exit 2 before scanning', async () => {
    const run = await gate(pushed.listMixed.byTag, { PLATFORMS: 'amd64' });

    expect(run.status).toBe(2);
    expect(run.lastErrorLine).toMatch(
      /^scan-image: PLATFORMS must be os\/architecture\[\/variant\] entries .*got 'amd64'$/,
    );
    expect(run.klarCalls).toEqual([]);
  });
});

describe('what Clair v2 cannot read is not covered (exit 7) with the reason', () => {
  const ZSTD_REASON =
    '2 of 2 layers are zstd-compressed (application/vnd.oci.image.layer.v1.tar+zstd), which Clair v2 cannot extract; push it with gzip layers';

  test.each([['required'], ['false']])(
    'fails an image of zstd layers with exit 7, coverage %s, before klar runs',
    async (coverage) => {
      const image = pushed.zstd.byTag;
      const run = await scenario(image).run(
        envFor(image, { REQUIRE_COVERAGE: coverage === 'false' ? 'false' : undefined }),
      );

      expect(run.status).toBe(7);
      expect(run.lastErrorLine).toContain(`scan-image: not covered: Clair could not read ${image} (${ZSTD_REASON}`);
      expect(run.lastErrorLine).toContain('compression=gzip');
      expect(run.stdout).toContain('  layers:     2 (not scanned: Clair v2 cannot read this format)\n');
      expect(scanned(run)).toEqual([]);
      expect(clair.requestsFor(pushed.zstd.layerName)).toEqual([]);
    },
  );

  test('passes an image of zstd layers that an unscannable entry waives', async () => {
    const s = scenario(pushed.zstd.byTag);
    const allowlist = s.file(
      'allow.yaml',
      'unscannable:\n  - image: formats/zstd\n    reason: "zstd until BuildKit gzip (SEC-9)"\n    expires: 2030-01-01\n',
    );
    const run = await s.run(envFor(pushed.zstd.byTag, { ALLOWLIST_FILE: allowlist }));

    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`coverage:   not covered (${ZSTD_REASON}`);
  });

  test('fails an index with one zstd platform with exit 7, naming the platform; its other platform is scanned', async () => {
    const run = await gate(pushed.indexZstd.byTag);

    expect(run.status).toBe(7);
    expect(run.lastErrorLine).toContain(
      `not covered: Clair could not read linux/arm64/v8 of ${pushed.indexZstd.byTag} (`,
    );
    expect(scanned(run)).toHaveLength(1);
    expect(run.junit().suites).toHaveLength(2);
  });

  test.each([['required'], ['false']])(
    'fails a Docker schema-1 image with exit 7, coverage %s, before klar runs (klar analyzed only its base layer)',
    async (coverage) => {
      const run = await gate(schema1.byTag, { REQUIRE_COVERAGE: coverage === 'false' ? 'false' : undefined });

      expect(run.status).toBe(7);
      expect(run.lastErrorLine).toContain(
        `scan-image: not covered: Clair could not read ${schema1.byTag} (the manifest is Docker schema 1, which klar v2.4.0 analyzes wrongly`,
      );
      expect(run.lastErrorLine).toContain('rebuild and push it with a current Docker or BuildKit');
      expect(scanned(run)).toEqual([]);
    },
  );

  test('reads a signed schema-1 manifest by its digest, the hash of the manifest without its signatures', async () => {
    const run = await gate(`${registry.open}/formats/schema1@${schema1.digest}`);

    expect(run.status).toBe(7);
    expect(run.lastErrorLine).toContain('the manifest is Docker schema 1');
  });
});
