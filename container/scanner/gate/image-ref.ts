import { EXIT, fail } from './errors';
import { safe } from './text';

/** A host name: labels of letters, digits and inner hyphens, separated by dots. */
export const HOST_RE = '[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*';
/** A repository path as the distribution registry accepts it (no registry, no tag). */
export const PATH_RE = '[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*';
const IMAGE_RE = new RegExp(
  `^(?<host>${HOST_RE})(:(?<port>[0-9]{1,5}))?/(?<repository>${PATH_RE})` +
    `(:(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@(?<digest>sha256:[0-9a-f]{64}))$`,
);
const REGISTRY_RE = new RegExp(`^(?<host>${HOST_RE})(:(?<port>[0-9]{1,5}))?$`);
/** The distribution registry's limit on a repository name with its registry (NameTotalLengthMax). */
export const MAX_NAME_LENGTH = 255;

/** An image reference, validated: an explicit registry, a repository, and a tag or a digest. */
export interface ImageRef {
  /** As given. */
  readonly uri: string;
  /** host[:port], lower case. */
  readonly registry: string;
  /** The host alone, lower case. */
  readonly host: string;
  /** The repository path: klar's image name, the allowlist's `image:`. */
  readonly repository: string;
  /** The tag, or the digest `sha256:<hex>`. */
  readonly reference: string;
  readonly byDigest: boolean;
}

/** A port from 1 to 65535, written without leading zeros. */
function validPort(port: string): boolean {
  return /^[1-9][0-9]{0,4}$/.test(port) && Number(port) <= 65535;
}

/**
 * Parses the image reference in the variable `name`, or fails with exit 2: nothing is ever resolved
 * against Docker Hub, and nothing malformed reaches klar, the registry or Clair.
 */
export function parseImageRef(name: string, value: string | undefined): ImageRef {
  if (!value) fail(EXIT.badInput, `${name} is required`);
  const m = IMAGE_RE.exec(value);
  if (!m) {
    fail(
      EXIT.badInput,
      `${name} must be registry/repository:tag or registry/repository@sha256:<64 hex>, got '${safe(value)}'`,
    );
  }
  const { host: rawHost, port, repository, tag, digest } = m.groups!;
  const host = rawHost.toLowerCase();
  if (!host.includes('.') && port === undefined && host !== 'localhost') {
    fail(EXIT.badInput, `${name} must start with a registry host (with a dot or a port, or localhost), got '${value}'`);
  }
  if (port !== undefined && !validPort(port)) {
    fail(EXIT.badInput, `${name} must have a registry port from 1 to 65535, got '${value}'`);
  }
  const registry = port === undefined ? host : `${host}:${port}`;
  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH) {
    fail(
      EXIT.badInput,
      `${name} must name a registry and repository of at most ${MAX_NAME_LENGTH} characters, got ${registry.length + 1 + repository.length}`,
    );
  }
  return { uri: value, registry, host, repository, reference: digest ?? tag, byDigest: digest !== undefined };
}

/**
 * Parses ALLOWED_REGISTRIES: comma-separated `host[:port]`, lower-cased; spaces around entries are
 * ignored. Empty or malformed is bad input (exit 2).
 */
export function parseAllowedRegistries(value: string | undefined): string[] {
  if (!value || value.trim() === '') {
    fail(
      EXIT.badInput,
      'ALLOWED_REGISTRIES is required: the registries (host[:port], comma-separated) the scanner may read',
    );
  }
  return value.split(',').map((entry) => {
    const registry = entry.trim().toLowerCase();
    const m = REGISTRY_RE.exec(registry);
    if (!m || (m.groups!.port !== undefined && !validPort(m.groups!.port))) {
      fail(EXIT.badInput, `ALLOWED_REGISTRIES must be host[:port] entries separated by commas, got '${safe(entry)}'`);
    }
    return registry;
  });
}

/**
 * Fails with exit 2 unless the image's registry is one of `allowed` (exactly, port included):
 * before klar or Clair sees the image (reference/hostile-inputs.md, D2 and D7: a registry outside
 * the list could poison Clair's layer cache or name any token realm).
 */
export function checkAllowed(name: string, image: ImageRef, allowed: string[]): void {
  if (!allowed.includes(image.registry)) {
    fail(
      EXIT.badInput,
      `${name} is on registry '${image.registry}', which is not in ALLOWED_REGISTRIES (${allowed.join(', ')})`,
    );
  }
}
