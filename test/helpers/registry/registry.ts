import * as crypto from 'crypto';
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

/** A file of an image layer: its path and content. */
export type LayerFiles = Record<string, string>;

/** What was pushed: the reference to scan by tag and by digest, and klar's name for its top layer. */
export interface PushedImage {
  readonly byTag: string;
  readonly byDigest: string;
  readonly digest: string;
  /** `<config digest hex><last layer digest hex>`, the layer klar asks Clair about. */
  readonly layerName: string;
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

async function check(response: Response, what: string): Promise<Response> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  return response;
}

/** Pushes a blob (monolithic upload) unless the registry has it; returns its digest. */
async function pushBlob(registry: string, repository: string, data: Buffer): Promise<string> {
  const digest = sha256(data);
  const base = `http://${registry}/v2/${repository}/blobs`;
  if ((await fetch(`${base}/${digest}`, { method: 'HEAD' })).ok) return digest;
  const started = await check(await fetch(`${base}/uploads/`, { method: 'POST' }), `upload to ${repository}`);
  const location = new URL(started.headers.get('location')!, `http://${registry}`);
  location.searchParams.set('digest', digest);
  await check(
    await fetch(location, { method: 'PUT', body: data, headers: { 'Content-Type': 'application/octet-stream' } }),
    `blob ${digest}`,
  );
  return digest;
}

/** Pushes a manifest under a tag; returns its digest. */
export async function pushManifest(
  registry: string,
  repository: string,
  tag: string,
  mediaType: string,
  manifest: object,
): Promise<string> {
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, ...manifest }));
  await check(
    await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, {
      method: 'PUT',
      body,
      headers: { 'Content-Type': mediaType },
    }),
    `manifest ${repository}:${tag}`,
  );
  return sha256(body);
}

/**
 * Pushes an image of the given layers (each a set of files, base first) as Docker schema 2, or as
 * an OCI image manifest when `mediaType` says so.
 */
export async function pushImage(
  registry: string,
  repository: string,
  tag: string,
  layers: LayerFiles[],
  mediaType: string = DOCKER_MANIFEST,
): Promise<PushedImage> {
  const oci = mediaType === OCI_MANIFEST;
  const blobs = layers.map(tarGz);
  const diffIds = blobs.map((blob) => sha256(zlib.gunzipSync(blob)));
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } }),
  );
  const layerDigests = await Promise.all(blobs.map((blob) => pushBlob(registry, repository, blob)));
  const configDigest = await pushBlob(registry, repository, config);
  const digest = await pushManifest(registry, repository, tag, mediaType, {
    config: {
      mediaType: oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json',
      size: config.length,
      digest: configDigest,
    },
    layers: blobs.map((blob, i) => ({
      mediaType: oci
        ? 'application/vnd.oci.image.layer.v1.tar+gzip'
        : 'application/vnd.docker.image.rootfs.diff.tar.gzip',
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
  };
}
