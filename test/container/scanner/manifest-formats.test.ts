import { GateError } from '../../../container/scanner/gate/errors';
import { parsePlatforms, readIndex, selectPlatforms } from '../../../container/scanner/gate/platforms';
import { readManifest } from '../../../container/scanner/gate/registry';

// The gate's reading of each manifest format, called directly (formats.test.ts pushes them to a
// registry and runs the gate).
const hex = (c: string) => c.repeat(64);
const digest = (c: string) => `sha256:${hex(c)}`;
const OCI = 'application/vnd.oci.image.manifest.v1+json';

/** An OCI image manifest whose layers have these media types. */
const ociManifest = (...layerTypes: string[]) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 1, digest: digest('c') },
    layers: layerTypes.map((mediaType, i) => ({ mediaType, size: 1, digest: digest(String(i + 1)) })),
  });

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

describe('readManifest', () => {
  test("reads an OCI manifest with klar's layer name: <config hex><top layer hex>", () => {
    const read = readManifest(
      ociManifest('application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar'),
      OCI,
    );

    expect(read).toEqual({
      kind: 'image',
      mediaType: OCI,
      layers: [digest('1'), digest('2')],
      layerName: hex('c') + hex('2'),
    });
  });

  test.each([
    [
      'zstd layers',
      ['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar+zstd'],
      '1 of 2 layers is zstd-compressed (application/vnd.oci.image.layer.v1.tar+zstd), which Clair v2 cannot extract; push it with gzip layers',
    ],
    [
      'a non-distributable (foreign) layer',
      ['application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'application/vnd.oci.image.layer.v1.tar+gzip'],
      '1 of 2 layers is non-distributable (foreign, application/vnd.docker.image.rootfs.foreign.diff.tar.gzip), which Clair v2 cannot fetch',
    ],
    [
      'an OCI non-distributable layer',
      ['application/vnd.oci.image.layer.nondistributable.v1.tar+gzip'],
      '1 of 1 layer is non-distributable (foreign, application/vnd.oci.image.layer.nondistributable.v1.tar+gzip)',
    ],
    [
      'a layer type Clair v2 does not extract',
      ['application/vnd.example.layer+lz4'],
      '1 of 1 layer is of media type application/vnd.example.layer+lz4, which Clair v2 does not extract',
    ],
  ])('names %s as unreadable, before klar runs', (_what, types, reason) => {
    const read = readManifest(ociManifest(...types), OCI);

    expect(read).toMatchObject({ kind: 'unreadable', layerCount: types.length });
    expect((read as { reasons: string[] }).reasons).toEqual([expect.stringContaining(reason)]);
  });

  test.each([
    ['signed, by its Content-Type', 'application/vnd.docker.distribution.manifest.v1+prettyjws'],
    ['by its schemaVersion alone', 'application/json'],
  ])('names Docker schema 1 (%s) as unreadable, with the fix', (_what, contentType) => {
    const schema1 = JSON.stringify({
      schemaVersion: 1,
      name: 'team/app',
      tag: 'v1',
      fsLayers: [{ blobSum: digest('1') }, { blobSum: digest('2') }],
      history: [{ v1Compatibility: '{}' }, { v1Compatibility: '{}' }],
    });

    const read = readManifest(schema1, contentType);

    expect(read).toMatchObject({ kind: 'unreadable', layerCount: 2 });
    expect((read as { reasons: string[] }).reasons).toEqual([
      expect.stringMatching(
        /^the manifest is Docker schema 1, which klar v2\.4\.0 analyzes wrongly .*; rebuild and push it with a current Docker or BuildKit/,
      ),
    ]);
  });

  test('fails 5 on a manifest of another type', () => {
    const other = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.example+json' });

    expect(failure(() => readManifest(other, ''))).toEqual({
      code: 5,
      message: expect.stringContaining('is neither Docker schema 2, OCI, a manifest list nor an index'),
    });
  });
});

describe('indexes', () => {
  const entry = (c: string, platform?: object, extra: object = {}) => ({
    mediaType: OCI,
    size: 1,
    digest: digest(c),
    platform,
    ...extra,
  });

  test('skips attestations by platform unknown/unknown or by annotation; keeps an entry without platform', () => {
    const read = readIndex({
      manifests: [
        entry('a', { os: 'linux', architecture: 'arm', variant: 'v7' }),
        entry('b', { os: 'unknown', architecture: 'unknown' }),
        entry('c', undefined, { annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } }),
        entry('d'),
      ],
    });

    expect(read).toEqual({
      attestations: 2,
      images: [
        { digest: digest('a'), mediaType: OCI, platform: 'linux/arm/v7' },
        { digest: digest('d'), mediaType: OCI, platform: 'unspecified' },
      ],
    });
  });

  test('never follows a nested index', () => {
    const nested = {
      manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', size: 1, digest: digest('e') }],
    };

    expect(failure(() => readIndex(nested)).message).toBe(
      `index: entry 1 (${digest('e')}) is itself an index, which the gate does not follow; push one index of images`,
    );
  });

  test('PLATFORMS without a variant takes any variant; an entry without platform is always scanned', () => {
    const images = readIndex({
      manifests: [
        entry('a', { os: 'linux', architecture: 'arm64', variant: 'v8' }),
        entry('b', { os: 'linux', architecture: 'amd64' }),
        entry('d'),
      ],
    });

    expect(selectPlatforms(images, parsePlatforms('linux/arm64')).map((i) => i.platform)).toEqual([
      'linux/arm64/v8',
      'unspecified',
    ]);
    expect(selectPlatforms(images, parsePlatforms('linux/arm64/v7')).map((i) => i.platform)).toEqual(['unspecified']);
    expect(selectPlatforms(images, []).map((i) => i.platform)).toEqual([
      'linux/arm64/v8',
      'linux/amd64',
      'unspecified',
    ]);
  });

  test('fails 5 on an index of attestations only', () => {
    const read = readIndex({ manifests: [entry('b', { os: 'unknown', architecture: 'unknown' })] });

    expect(failure(() => selectPlatforms(read, []))).toEqual({
      code: 5,
      message: 'index: the index holds no image, only 1 attestation manifest(s)',
    });
  });

  test.each([['linux'], ['linux/amd64/v8/x'], ['linux/amd64,'], ['linux/$(id)']])(
    'rejects PLATFORMS=%s with exit 2',
    (value) => {
      expect(failure(() => parsePlatforms(value)).code).toBe(2);
    },
  );
});
