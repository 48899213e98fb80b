import * as crypto from 'crypto';
import { Deadline } from './deadline';
import { EXIT, fail } from './errors';
import { Answer, HttpClient, TooLargeError, TransportError } from './http';
import { ImageRef } from './image-ref';
import { addSecret, safe, truncate } from './text';

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const ACCEPT = [DOCKER_MANIFEST, DOCKER_LIST, OCI_MANIFEST, OCI_INDEX].join(', ');

/**
 * The legacy empty layer (a gzipped empty tar) of images built by Docker before 1.10: klar drops
 * it from the layers it sends to Clair, so it is never the layer klar asks about
 * (reference/hostile-inputs.md, D15).
 */
export const EMPTY_LAYER = 'sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4';

/** The distribution registry refuses manifests over 4 MiB; the gate reads none larger. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/**
 * The most layers the gate lets klar send to Clair: Docker's overlay2 driver cannot run images of
 * more than 128 layers, and Clair v2's work grows with the square of the count (5,000 layers took
 * eight minutes of the shared Clair, reference/hostile-inputs.md, D9).
 */
export const MAX_LAYERS = 128;
/** The largest token-service answer read. */
const MAX_TOKEN_BYTES = 1024 * 1024;

/**
 * Token hosts documented by registries whose token service is not on the registry's own host:
 * Docker Hub's (docs.docker.com/registry/spec/auth/token). Any other realm must be on the
 * registry's host (reference/hostile-inputs.md, D7).
 */
const DOCUMENTED_TOKEN_HOSTS: Record<string, string[]> = { 'registry-1.docker.io': ['auth.docker.io'] };

/** How the gate reads a registry. */
export interface RegistryOptions {
  /** `Basic <base64>` credentials, or none. */
  readonly basic?: string;
  /** REGISTRY_INSECURE: plain http. */
  readonly plainHttp: boolean;
  /** DOCKER_INSECURE: skip TLS certificate checks. */
  readonly insecureTls: boolean;
  readonly timeoutMs: number;
}

/** An image's manifest, read and checked. */
export interface Manifest {
  /** The sha256 of the manifest as received, which is the digest asked for or the registry's header. */
  readonly digest: string;
  readonly mediaType: string;
  /** The layers klar sends to Clair (without legacy empty layers), base first. */
  readonly layers: string[];
  /** klar's name for the layer it asks Clair about: `<config hex><top layer hex>`. */
  readonly layerName: string;
}

/** Registers the registry credentials of the environment for redaction (reference/hostile-inputs.md, D8). */
export function registerCredentials(env: Readonly<Record<string, string | undefined>>): void {
  addSecret(env.DOCKER_PASSWORD, env.DOCKER_USER ?? '');
  addSecret(env.DOCKER_TOKEN);
}

/** `Basic <base64>` credentials for a registry from the gate's inputs (all registered for redaction). */
export function basicCredentials(
  ecrPassword: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (ecrPassword) {
    return `Basic ${Buffer.from(`AWS:${ecrPassword}`).toString('base64')}`;
  }
  if (env.DOCKER_USER) {
    return `Basic ${Buffer.from(`${env.DOCKER_USER}:${env.DOCKER_PASSWORD ?? ''}`).toString('base64')}`;
  }
  if (env.DOCKER_TOKEN) {
    return `Basic ${env.DOCKER_TOKEN}`;
  }
  return undefined;
}

const header = (answer: Answer, name: string): string => {
  const value = answer.headers[name.toLowerCase()];
  return (Array.isArray(value) ? value[value.length - 1] : value) ?? '';
};

/** A query value encoded as the bash gate did: unreserved characters, `/` and `:` kept. */
const encodeQuery = (value: string): string => encodeURIComponent(value).replace(/%2F/gi, '/').replace(/%3A/gi, ':');

/** A registry client for one image: the manifest, as klar fetches it, and checked. */
export class RegistryClient {
  constructor(
    private readonly http: HttpClient,
    private readonly image: ImageRef,
    private readonly opts: RegistryOptions,
  ) {}

  /**
   * Fetches the image's manifest (Basic credentials, then the bearer-token flow after a 401 with a
   * Bearer challenge), verifies its digest and reads klar's layer name from it. Fails 4 when the
   * registry refuses the credentials, 5 on anything else.
   */
  async manifest(deadline: Deadline): Promise<Manifest> {
    deadline.check('reading the manifest');
    const { registry, repository, reference } = this.image;
    const url = `${this.opts.plainHttp ? 'http' : 'https'}://${registry}/v2/${repository}/manifests/${reference}`;
    let answer = await this.get(url, this.opts.basic, 'the manifest');
    const challenge = header(answer, 'WWW-Authenticate');
    if (answer.status === 401 && /^bearer\s/i.test(challenge)) {
      const token = await this.token(challenge);
      answer = await this.get(url, `Bearer ${token}`, 'the manifest');
    }
    if (answer.status === 401 || answer.status === 403) {
      fail(
        EXIT.credentials,
        `coverage: the registry ${registry} refused the credentials for the manifest of ${repository} (HTTP ${answer.status})`,
      );
    }
    if (answer.status !== 200)
      fail(EXIT.failed, `coverage: the registry answered HTTP ${answer.status} for the manifest ${url}`);
    const digest = this.verifiedDigest(answer);
    const contentType = header(answer, 'Content-Type').split(';')[0].trim();
    return { digest, ...readManifest(answer.body.toString('utf8'), contentType) };
  }

  private async get(url: string, authorization: string | undefined, what: string): Promise<Answer> {
    try {
      return await this.http.get(url, {
        headers: { Accept: ACCEPT, ...(authorization ? { Authorization: authorization } : {}) },
        insecureTls: this.opts.insecureTls,
        timeoutMs: this.opts.timeoutMs,
        maxBytes: what === 'the manifest' ? MAX_MANIFEST_BYTES : MAX_TOKEN_BYTES,
        what: `${what} of ${this.image.uri}`,
      });
    } catch (error) {
      if (error instanceof TooLargeError) fail(EXIT.failed, `coverage: ${error.message}`);
      if (error instanceof TransportError) {
        fail(EXIT.failed, `coverage: cannot fetch ${what} ${safe(url)}: ${safe(error.message)}`);
      }
      throw error;
    }
  }

  /** The bearer token for a challenge, from a realm on the registry's own (or documented) host. */
  private async token(challenge: string): Promise<string> {
    const { registry, repository, host } = this.image;
    const param = (name: string) => new RegExp(`${name}="([^"]*)"`, 'i').exec(challenge)?.[1];
    const realm = param('realm') ?? '';
    let realmUrl: URL | undefined;
    try {
      realmUrl = /^https?:\/\//.test(realm) ? new URL(realm) : undefined;
    } catch {
      realmUrl = undefined;
    }
    if (!realmUrl) {
      fail(
        EXIT.failed,
        `coverage: the registry ${registry} asks for a token without a usable realm: ${safe(truncate(challenge, 500))}`,
      );
    }
    const realmHost = realmUrl.hostname.toLowerCase();
    const onHost = realmHost === host || (DOCUMENTED_TOKEN_HOSTS[host] ?? []).includes(realmHost);
    const schemeOk = realmUrl.protocol === 'https:' || this.opts.plainHttp;
    if (!onHost || !schemeOk || realmUrl.username || realmUrl.password) {
      fail(
        EXIT.failed,
        `coverage: the registry ${registry} names the token realm ${safe(truncate(realm, 500))}, which is not ` +
          `https on its own host (or its documented token host): refused, so that no credential or token goes elsewhere`,
      );
    }
    const service = param('service');
    const scope = param('scope') || `repository:${repository}:pull`;
    const query = `service=${encodeQuery(service ?? '')}&scope=${encodeQuery(scope)}`;
    const url = `${realmUrl.origin}${realmUrl.pathname}?${realmUrl.search ? `${realmUrl.search.slice(1)}&` : ''}${query}`;
    const answer = await this.get(url, this.opts.basic, 'a registry token from');
    if (answer.status === 401 || answer.status === 403) {
      fail(
        EXIT.credentials,
        `coverage: the registry's token service ${safe(realm)} refused the credentials for ${repository} (HTTP ${answer.status})`,
      );
    }
    if (answer.status !== 200) {
      fail(EXIT.failed, `coverage: the registry's token service ${safe(realm)} answered HTTP ${answer.status}`);
    }
    let token: unknown;
    try {
      const body = JSON.parse(answer.body.toString('utf8'));
      token = body?.token ?? body?.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || !/^[A-Za-z0-9._~+/=-]+$/.test(token)) {
      fail(EXIT.failed, `coverage: the registry's token service ${safe(realm)} answered no token`);
    }
    addSecret(token);
    return token;
  }

  /**
   * The manifest's sha256, checked against the digest asked for, or for a tag against the registry's
   * Docker-Content-Digest when it sends one: a registry cannot have another image reported as the
   * one asked for (reference/hostile-inputs.md, D6).
   */
  private verifiedDigest(answer: Answer): string {
    const computed = `sha256:${crypto.createHash('sha256').update(answer.body).digest('hex')}`;
    const claimed = this.image.byDigest ? this.image.reference : header(answer, 'Docker-Content-Digest').trim();
    if (claimed !== '' && claimed !== computed) {
      fail(
        EXIT.failed,
        `coverage: the registry ${this.image.registry} answered a manifest whose sha256 is ${computed}, not ` +
          `${safe(truncate(claimed, 100))} (${this.image.byDigest ? 'the digest asked for' : 'its Docker-Content-Digest'}): refused`,
      );
    }
    return computed;
  }
}

const SHA256 = /^sha256:[0-9a-f]{64}$/;

/**
 * klar's layers and layer name from a manifest's text and Content-Type: `<config digest hex><last
 * layer digest hex>`, without "sha256:" (reference/coverage-and-clair-api.md), after dropping the
 * legacy empty layers as klar does. Throws a GateError (exit 5) on anything klar v2.4.0 cannot read.
 */
export function readManifest(text: string, contentType: string): Omit<Manifest, 'digest'> {
  const bad = (message: string): never => fail(EXIT.failed, `coverage: ${message}`);
  let manifest: any;
  try {
    manifest = JSON.parse(text);
  } catch {
    bad('the manifest is not JSON');
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest))
    bad('the manifest is not a JSON object');
  const mediaType: string = typeof manifest.mediaType === 'string' ? manifest.mediaType : contentType;
  if (mediaType === OCI_MANIFEST) {
    bad('the image has an OCI manifest, which klar v2.4.0 cannot read; push it as Docker schema 2');
  }
  if (mediaType === DOCKER_LIST || mediaType === OCI_INDEX) {
    bad(
      `the image is a manifest list (${mediaType}), which klar v2.4.0 cannot read; scan one platform's image by its digest`,
    );
  }
  if (mediaType !== DOCKER_MANIFEST || manifest.schemaVersion !== 2) {
    bad(`the manifest is not Docker schema 2 (media type ${safe(JSON.stringify(truncate(mediaType, 200)))})`);
  }
  if (typeof manifest.config?.digest !== 'string' || !SHA256.test(manifest.config.digest)) {
    bad('the manifest has no sha256 config digest');
  }
  if (!Array.isArray(manifest.layers) || manifest.layers.length === 0) bad('the manifest has no layers');
  const digests: unknown[] = manifest.layers.map((layer: any) => layer?.digest);
  if (!digests.every((d): d is string => typeof d === 'string' && SHA256.test(d))) {
    bad("the manifest's layers do not all have sha256 digests");
  }
  const layers = (digests as string[]).filter((d) => d !== EMPTY_LAYER);
  if (layers.length === 0) bad('the manifest has only empty layers');
  if (layers.length > MAX_LAYERS) {
    bad(`the manifest has ${layers.length} layers, more than the gate's cap of ${MAX_LAYERS}`);
  }
  const hex = (digest: string) => digest.slice('sha256:'.length);
  return { mediaType, layers, layerName: hex(manifest.config.digest) + hex(layers[layers.length - 1]) };
}
