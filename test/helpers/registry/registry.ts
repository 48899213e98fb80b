import * as crypto from 'crypto';
import * as http from 'http';
import * as zlib from 'zlib';
import { requiredEnv } from '../required-env';

/** The throwaway registries that scripts/with-registry.sh starts around the tests. */
export interface TestRegistry {
  /** host:port of the registry without authentication (plain http); images are pushed here. */
  readonly open: string;
  /** host:port of the same storage behind bearer-token authentication (plain http). */
  readonly auth: string;
  /** host:port of the same storage behind HTTPS (a self-signed certificate) and Basic authentication. */
  readonly tls: string;
  /** The user the token service grants pull to and the TLS registry admits, and its password. */
  readonly user: string;
  readonly password: string;
}

/**
 * Reads the registries' coordinates from the TEST_REGISTRY* variables of scripts/with-registry.sh.
 * Throws when they are missing, so a test that needs a registry fails instead of skipping.
 */
export function testRegistry(): TestRegistry {
  const env = requiredEnv(
    ['TEST_REGISTRY', 'TEST_REGISTRY_AUTH', 'TEST_REGISTRY_TLS', 'TEST_REGISTRY_USER', 'TEST_REGISTRY_PASSWORD'],
    'the registries',
    'with-registry.sh',
  );
  return {
    open: env.TEST_REGISTRY,
    auth: env.TEST_REGISTRY_AUTH,
    tls: env.TEST_REGISTRY_TLS,
    user: env.TEST_REGISTRY_USER,
    password: env.TEST_REGISTRY_PASSWORD,
  };
}

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
/** The zstd layer type, which only OCI manifests have. */
export const OCI_ZSTD_LAYER = 'application/vnd.oci.image.layer.v1.tar+zstd';

/** A platform as an index entry names it. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** How to push an image besides its layers. */
export interface ImageOptions {
  /** The manifest's media type. @default Docker schema 2 */
  readonly mediaType?: string;
  /** The layers' media type (e.g. {@link OCI_ZSTD_LAYER}). @default gzip of the manifest's kind */
  readonly layerMediaType?: string;
  /** The image config's platform. @default linux/amd64 */
  readonly platform?: Platform;
}

/** A file of an image layer: its path and content. */
export type LayerFiles = Record<string, string>;

/** What was pushed: the reference to scan by tag and by digest, and klar's name for its top layer. */
export interface PushedImage {
  readonly byTag: string;
  readonly byDigest: string;
  readonly digest: string;
  /** `<config digest hex><last layer digest hex>`, the layer klar asks Clair about. */
  readonly layerName: string;
  /** The manifest's media type and size, as an index entry names them. */
  readonly mediaType: string;
  readonly size: number;
}

const sha256 = (data: Buffer) => `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;

/** A gzipped tar archive (ustar) of regular files, as a layer is. */
export function tarGz(files: LayerFiles): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const body = Buffer.from(text);
    const header = Buffer.alloc(512);
    const field = (value: string, offset: number, length: number) => header.write(value, offset, length, 'ascii');
    field(name, 0, 100);
    field('0000644\0', 100, 8);
    field('0000000\0', 108, 8);
    field('0000000\0', 116, 8);
    field(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 12);
    field('00000000000\0', 136, 12);
    field('        ', 148, 8);
    field('0', 156, 1);
    field('ustar\x0000', 257, 8);
    const checksum = header.reduce((sum, byte) => sum + byte, 0);
    field(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 8);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  return zlib.gzipSync(Buffer.concat([...blocks, Buffer.alloc(1024)]));
}

/**
 * Sends one request to a registry and fails unless it succeeds; returns the answer's Location
 * header. Node's http module with a connection per request: fetch costs several times the CPU per
 * request, and its first call in a process loads its implementation (about 0.3 s).
 */
function send(url: string | URL, method: string, what: string, body?: Buffer, contentType?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers = body ? { 'Content-Type': contentType!, 'Content-Length': body.length } : {};
    const request = http.request(url, { method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(response.headers.location ?? '');
        else reject(new Error(`${what}: HTTP ${status} ${Buffer.concat(chunks).toString('utf8')}`));
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** The blobs pushed by this test file: repository@digest to its upload. */
const blobUploads = new Map<string, Promise<void>>();

/** Pushes a blob (monolithic upload), once per repository and test file; returns its digest. */
async function pushBlob(registry: string, repository: string, data: Buffer): Promise<string> {
  const digest = sha256(data);
  const key = `${registry}/${repository}@${digest}`;
  if (!blobUploads.has(key)) {
    const upload = async () => {
      const base = `http://${registry}/v2/${repository}/blobs`;
      const location = new URL(await send(`${base}/uploads/`, 'POST', `upload to ${repository}`), `http://${registry}`);
      location.searchParams.set('digest', digest);
      await send(location, 'PUT', `blob ${digest}`, data, 'application/octet-stream');
    };
    blobUploads.set(key, upload());
  }
  await blobUploads.get(key);
  return digest;
}

/** Pushes a manifest under a tag; returns its digest and size. */
async function pushManifest(
  registry: string,
  repository: string,
  tag: string,
  mediaType: string,
  manifest: object,
): Promise<{ digest: string; size: number }> {
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, ...manifest }));
  await send(
    `http://${registry}/v2/${repository}/manifests/${tag}`,
    'PUT',
    `manifest ${repository}:${tag}`,
    body,
    mediaType,
  );
  return { digest: sha256(body), size: body.length };
}

/**
 * Pushes an image of the given layers (each a set of files, base first) as Docker schema 2, or as
 * an OCI image manifest when `mediaType` says so (a string, or {@link ImageOptions}). Layers of
 * another media type are labelled so, their content still gzip: the gate judges them by the label.
 */
export async function pushImage(
  registry: string,
  repository: string,
  tag: string,
  layers: LayerFiles[],
  options: string | ImageOptions = DOCKER_MANIFEST,
): Promise<PushedImage> {
  const opts = typeof options === 'string' ? { mediaType: options } : options;
  const mediaType = opts.mediaType ?? DOCKER_MANIFEST;
  const oci = mediaType === OCI_MANIFEST;
  const platform = opts.platform ?? { os: 'linux', architecture: 'amd64' };
  const blobs = layers.map(tarGz);
  const diffIds = blobs.map((blob) => sha256(zlib.gunzipSync(blob)));
  const config = Buffer.from(JSON.stringify({ ...platform, rootfs: { type: 'layers', diff_ids: diffIds } }));
  const layerDigests = await Promise.all(blobs.map((blob) => pushBlob(registry, repository, blob)));
  const configDigest = await pushBlob(registry, repository, config);
  const { digest, size } = await pushManifest(registry, repository, tag, mediaType, {
    config: {
      mediaType: oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json',
      size: config.length,
      digest: configDigest,
    },
    layers: blobs.map((blob, i) => ({
      mediaType:
        opts.layerMediaType ??
        (oci ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.docker.image.rootfs.diff.tar.gzip'),
      size: blob.length,
      digest: layerDigests[i],
    })),
  });
  const hex = (d: string) => d.replace(/^sha256:/, '');
  return {
    byTag: `${registry}/${repository}:${tag}`,
    byDigest: `${registry}/${repository}@${digest}`,
    digest,
    layerName: hex(configDigest) + hex(layerDigests[layerDigests.length - 1]),
    mediaType,
    size,
  };
}

/** An index or list pushed: its references and digest. */
export interface PushedIndex {
  readonly byTag: string;
  readonly byDigest: string;
  readonly digest: string;
}

/**
 * Pushes a Docker manifest list or an OCI index of images (each with its platform). With
 * `attest`, each image gets a provenance attestation manifest as BuildKit pushes it: an OCI
 * manifest of an in-toto layer, listed with platform `unknown/unknown` and the annotations
 * `vnd.docker.reference.type: attestation-manifest` and `vnd.docker.reference.digest`.
 */
export async function pushIndex(
  registry: string,
  repository: string,
  tag: string,
  mediaType: string,
  images: Array<{ image: PushedImage; platform: Platform }>,
  attest = false,
): Promise<PushedIndex> {
  const entries: object[] = images.map(({ image, platform }) => ({
    mediaType: image.mediaType,
    size: image.size,
    digest: image.digest,
    platform,
  }));
  if (attest) {
    for (const [i, { image }] of images.entries()) {
      const statement = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', subject: [] }));
      const config = Buffer.from('{}');
      const attestation = await pushManifest(registry, repository, `${tag}-attestation-${i}`, OCI_MANIFEST, {
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          size: config.length,
          digest: await pushBlob(registry, repository, config),
        },
        layers: [
          {
            mediaType: 'application/vnd.in-toto+json',
            size: statement.length,
            digest: await pushBlob(registry, repository, statement),
            annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
          },
        ],
      });
      entries.push({
        mediaType: OCI_MANIFEST,
        ...attestation,
        platform: { architecture: 'unknown', os: 'unknown' },
        annotations: {
          'vnd.docker.reference.digest': image.digest,
          'vnd.docker.reference.type': 'attestation-manifest',
        },
      });
    }
  }
  const { digest } = await pushManifest(registry, repository, tag, mediaType, { manifests: entries });
  return { byTag: `${registry}/${repository}:${tag}`, byDigest: `${registry}/${repository}@${digest}`, digest };
}

/**
 * Pushes an image of the given layers (base first) as a signed Docker schema-1 manifest, which the
 * registry accepts only with `compatibility.schema1.enabled` (the open registry of
 * scripts/with-registry.sh): libtrust's JWS, an ES256 signature over the pretty-printed manifest
 * with the key in its header. Its digest is the sha256 of the manifest without the signatures.
 */
export async function pushSchema1(
  registry: string,
  repository: string,
  tag: string,
  layers: LayerFiles[],
): Promise<{ byTag: string; digest: string }> {
  const blobs = layers.map(tarGz);
  const digests = await Promise.all(blobs.map((blob) => pushBlob(registry, repository, blob)));
  const ids = digests.map((d) => crypto.createHash('sha256').update(`v1-id-${d}`).digest('hex'));
  // Schema 1 lists layers top first.
  const order = [...digests.keys()].reverse();
  const content = Buffer.from(
    JSON.stringify(
      {
        schemaVersion: 1,
        name: repository,
        tag,
        architecture: 'amd64',
        fsLayers: order.map((i) => ({ blobSum: digests[i] })),
        history: order.map((i) => ({
          v1Compatibility: JSON.stringify({ id: ids[i], ...(i > 0 ? { parent: ids[i - 1] } : {}), os: 'linux' }),
        })),
      },
      null,
      3,
    ),
  );
  const formatLength = content.lastIndexOf('}') - 1;
  const tail = content.subarray(formatLength);
  const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64url');
  const protectedHeader = b64(
    JSON.stringify({ formatLength, formatTail: b64(tail), time: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }),
  );
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const signature = crypto.sign('sha256', Buffer.from(`${protectedHeader}.${b64(content)}`), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  const signatures = [
    {
      header: { jwk: { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }, alg: 'ES256' },
      signature: b64(signature),
      protected: protectedHeader,
    },
  ];
  const body = Buffer.concat([
    content.subarray(0, formatLength),
    Buffer.from(`,\n   "signatures": ${JSON.stringify(signatures)}`),
    tail,
  ]);
  await send(
    `http://${registry}/v2/${repository}/manifests/${tag}`,
    'PUT',
    `schema-1 manifest ${repository}:${tag}`,
    body,
    'application/vnd.docker.distribution.manifest.v1+prettyjws',
  );
  return { byTag: `${registry}/${repository}:${tag}`, digest: sha256(content) };
}
