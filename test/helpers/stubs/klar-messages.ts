/**
 * What the patched klar (klar v2.4.0 with container/scanner/klar-patches/*.patch) prints on
 * standard error before it exits 2, exactly, so that the stub klar's fixtures and the gate's tests
 * use klar's real text. Each was recorded from the patched klar run against the test registries
 * and hostile stand-ins (docs/klar-patches.md lists them and says how).
 */

/** Go's `%q`, as klar quotes URLs and realms: a JSON string is the same for the ASCII we use. */
const quote = (text: string): string => JSON.stringify(text);

/**
 * The manifest URL klar asks for an image reference `host[:port]/repository(:tag|@digest)`:
 * http with REGISTRY_INSECURE, https otherwise.
 */
export function klarManifestUrl(image: string, insecure = false): string {
  const slash = image.indexOf('/');
  const host = image.slice(0, slash);
  const rest = image.slice(slash + 1);
  const at = rest.indexOf('@');
  const split = at >= 0 ? at : rest.lastIndexOf(':');
  return `${insecure ? 'http' : 'https'}://${host}/v2/${rest.slice(0, split)}/manifests/${rest.slice(split + 1)}`;
}

const pull = (image: string, insecure: boolean, cause: string) =>
  `Can't pull image: Get ${quote(klarManifestUrl(image, insecure))}: ${cause}`;

/** The patched klar's messages, by cause. `insecure` is REGISTRY_INSECURE=true. */
export const klarMessages = {
  /**
   * The registry answered the manifest request with another status than 200: the status and the
   * registry's own errors (`CODE: message`, joined with `; `), e.g. `404 Not Found`,
   * `MANIFEST_UNKNOWN: manifest unknown`. A 401 without a Bearer challenge reads the same.
   */
  registryError: (image: string, status: string, errors: string, insecure = false) =>
    pull(image, insecure, `${status}: ${errors}`),
  /** The registry served an image index, a manifest list or anything else klar does not read. */
  unsupportedMediaType: (image: string, mediaType: string, insecure = false) =>
    pull(image, insecure, `unsupported manifest media type ${quote(mediaType)}`),
  /** The registry served a Docker schema 1 manifest (signed). */
  schema1: (image: string, insecure = false) =>
    pull(
      image,
      insecure,
      'Docker schema 1 manifest (application/vnd.docker.distribution.manifest.v1+prettyjws): ' +
        'klar analyzes Docker schema 2 and OCI image manifests only',
    ),
  /** Asked by digest, the registry served a manifest whose sha256 is `actual`. */
  digestMismatch: (image: string, actual: string, insecure = false) =>
    pull(image, insecure, `manifest digest ${actual} is not the requested ${image.slice(image.indexOf('@') + 1)}`),
  /** The registry named a token realm off its own host and its documented token host. */
  realmOffHost: (realm: string, registryHost: string) =>
    `Can't pull image: token realm ${quote(realm)} refused: not on the registry's host ${registryHost} or its documented token host`,
  /** The registry named a token realm over http while neither it nor its TLS was declared insecure. */
  realmNotHttps: (realm: string) =>
    `Can't pull image: token realm ${quote(realm)} refused: not https (DOCKER_INSECURE or REGISTRY_INSECURE allow http)`,
  /** The token realm refused the credentials (unchanged from klar v2.4.0). */
  tokenRequest: (status: number) => `Can't pull image: Token request returned ${status}`,
} as const;
