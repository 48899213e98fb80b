/**
 * Which layers Clair v2 can read (reference/image-formats.md): its tarutil extracts gzip, bzip2 and
 * xz archives and reads anything else as a plain tar, so a zstd layer fails with "could not extract
 * the archive"; and a non-distributable (foreign) layer is not in the registry for Clair to fetch.
 * Decided from the manifest before klar runs, so that such an image is "not covered" with its
 * reason, never a klar error.
 */

/** Layer media types Clair v2 extracts: Docker's gzip layer and OCI's plain and gzip layers. */
export const READABLE_LAYERS: readonly string[] = [
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
];

/** How to get a layer type Clair v2 reads from Docker or BuildKit. */
const GZIP_FIX =
  "push it with gzip layers, BuildKit's default (docker buildx build --output type=registry,compression=gzip,force-compression=true)";
const FOREIGN_FIX =
  "rebuild the image without non-distributable (Windows foreign) layers, or waive it in the allowlist's unscannable:";

/** Docker schema 1, which the gate names but never reads (klar analyzes only its base layer). */
export const SCHEMA1_REASON =
  'the manifest is Docker schema 1, which klar v2.4.0 analyzes wrongly (only the base layer) and registries no longer accept; ' +
  'rebuild and push it with a current Docker or BuildKit, which pushes Docker schema 2 or OCI';

/** Why Clair v2 cannot read a layer of this media type, or undefined when it can. */
export function unreadableBecause(mediaType: string): string | undefined {
  if (READABLE_LAYERS.includes(mediaType)) return undefined;
  if (/nondistributable|foreign/.test(mediaType)) {
    return `non-distributable (foreign, ${mediaType}), which Clair v2 cannot fetch from the registry; ${FOREIGN_FIX}`;
  }
  if (/zstd/.test(mediaType)) return `zstd-compressed (${mediaType}), which Clair v2 cannot extract; ${GZIP_FIX}`;
  return `of media type ${mediaType}, which Clair v2 does not extract; ${GZIP_FIX}`;
}

/**
 * The reasons Clair v2 cannot read an image's layers, one per unreadable media type (in the order
 * they first appear), with how many layers have it. A layer without a type is not judged.
 */
export function unreadableLayers(mediaTypes: ReadonlyArray<string | undefined>): string[] {
  const counts = new Map<string, number>();
  for (const type of mediaTypes) {
    if (type !== undefined && unreadableBecause(type) !== undefined) counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return [...counts].map(
    ([type, n]) =>
      `${n} of ${mediaTypes.length} layer${mediaTypes.length === 1 ? '' : 's'} ${n === 1 ? 'is' : 'are'} ${unreadableBecause(type)}`,
  );
}
