import { EXIT, fail } from './errors';
import { isImageManifest, isIndex } from './media-types';
import { safe, truncate } from './text';

/**
 * Indexes and manifest lists (reference/image-formats.md): the gate scans every platform's image by
 * its digest and skips BuildKit's attestation manifests, so that no platform of a list goes
 * unscanned (a registry answering klar with one platform's image hid the others).
 */

/** A platform as `os/architecture[/variant]`, lower case. */
const PLATFORM_RE = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)?$/;
/** The most image entries the gate scans in one index: each is a klar scan of the shared Clair. */
export const MAX_PLATFORMS = 16;
/** The most entries an index may list, attestations included. */
const MAX_ENTRIES = 256;
const SHA256 = /^sha256:[0-9a-f]{64}$/;

/** One image of an index: its digest and platform (`os/arch[/variant]`, or `unspecified`). */
export interface PlatformImage {
  readonly digest: string;
  readonly mediaType: string;
  readonly platform: string;
}

/** An index read: its images, and how many attestation manifests it holds. */
export interface IndexEntries {
  readonly images: PlatformImage[];
  readonly attestations: number;
}

/**
 * Parses PLATFORMS: comma-separated `os/arch[/variant]` (any case, spaces around entries ignored);
 * empty means every platform. Bad input is exit 2.
 */
export function parsePlatforms(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((entry) => {
    const platform = entry.trim().toLowerCase();
    if (!PLATFORM_RE.test(platform)) {
      fail(
        EXIT.badInput,
        `PLATFORMS must be os/architecture[/variant] entries separated by commas (e.g. linux/amd64,linux/arm64/v8), got '${safe(entry)}'`,
      );
    }
    return platform;
  });
}

/** An index entry's platform as `os/arch[/variant]`, or `unspecified` when it names none. */
function platformOf(entry: any): string {
  const p = entry?.platform;
  if (typeof p !== 'object' || p === null || typeof p.os !== 'string' || typeof p.architecture !== 'string') {
    return 'unspecified';
  }
  return [p.os, p.architecture, ...(typeof p.variant === 'string' && p.variant !== '' ? [p.variant] : [])]
    .join('/')
    .toLowerCase();
}

/**
 * Whether an entry is an attestation manifest: BuildKit's are platform `unknown/unknown` with the
 * annotation `vnd.docker.reference.type: attestation-manifest`.
 */
function isAttestation(entry: any): boolean {
  return (
    platformOf(entry) === 'unknown/unknown' ||
    entry?.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest'
  );
}

/**
 * The images of an index or manifest list, attestations left out. Fails 5 on an entry that is not
 * an image manifest with a sha256 digest (a nested index is not followed) or on too many entries.
 */
export function readIndex(manifest: any): IndexEntries {
  const bad = (message: string): never => fail(EXIT.failed, `index: ${message}`);
  if (!Array.isArray(manifest.manifests)) bad('the index has no manifests list');
  if (manifest.manifests.length > MAX_ENTRIES) {
    bad(`the index lists ${manifest.manifests.length} manifests, more than the gate's cap of ${MAX_ENTRIES}`);
  }
  const images: PlatformImage[] = [];
  let attestations = 0;
  for (const [i, entry] of (manifest.manifests as any[]).entries()) {
    if (typeof entry !== 'object' || entry === null || typeof entry.digest !== 'string' || !SHA256.test(entry.digest)) {
      bad(`entry ${i + 1} has no sha256 digest`);
    }
    if (isAttestation(entry)) {
      attestations++;
      continue;
    }
    const mediaType = String(entry.mediaType ?? '');
    if (isIndex(mediaType)) {
      bad(
        `entry ${i + 1} (${entry.digest}) is itself an index, which the gate does not follow; push one index of images`,
      );
    }
    if (!isImageManifest(mediaType)) {
      bad(
        `entry ${i + 1} (${entry.digest}) has the media type ${safe(JSON.stringify(truncate(mediaType, 200)))}, not an image manifest`,
      );
    }
    images.push({ digest: entry.digest, mediaType, platform: platformOf(entry) });
  }
  return { images, attestations };
}

/** Whether an image's platform is one PLATFORMS names (a name without a variant takes any variant). */
const matches = (platform: string, wanted: string): boolean =>
  platform === wanted || (wanted.split('/').length === 2 && platform.startsWith(`${wanted}/`));

/**
 * The images to scan: every one, or those of PLATFORMS (and any without a platform, which cannot
 * be told apart). Fails 5 when none is left or more than {@link MAX_PLATFORMS}.
 */
export function selectPlatforms(entries: IndexEntries, wanted: readonly string[]): PlatformImage[] {
  const chosen = entries.images.filter(
    (image) =>
      wanted.length === 0 || image.platform === 'unspecified' || wanted.some((w) => matches(image.platform, w)),
  );
  const offered = entries.images.map((image) => image.platform).join(', ') || 'none';
  if (chosen.length === 0) {
    fail(
      EXIT.failed,
      wanted.length === 0
        ? `index: the index holds no image, only ${entries.attestations} attestation manifest(s)`
        : `index: the index holds no image for PLATFORMS=${wanted.join(',')} (it has ${offered}); push the platform you deploy, or set scan.platforms to one it holds`,
    );
  }
  if (chosen.length > MAX_PLATFORMS) {
    fail(
      EXIT.failed,
      `index: the index holds ${chosen.length} images to scan, more than the gate's cap of ${MAX_PLATFORMS}; set PLATFORMS to the platforms you deploy`,
    );
  }
  return chosen;
}
