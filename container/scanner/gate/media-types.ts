/**
 * The manifest and layer media types the gate reads (reference/image-formats.md): Docker schema 2
 * and OCI image manifests, Docker manifest lists and OCI indexes, and Docker schema 1, which it
 * only names.
 */
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
/** Docker schema 1, signed and unsigned: registries answer it by its own type whatever is asked. */
export const SCHEMA1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
export const SCHEMA1 = 'application/vnd.docker.distribution.manifest.v1+json';

/** Every manifest type the gate asks for, most wanted first. */
export const MANIFEST_ACCEPT = [DOCKER_MANIFEST, OCI_MANIFEST, DOCKER_LIST, OCI_INDEX, SCHEMA1_SIGNED, SCHEMA1].join(
  ', ',
);

/** Whether a media type is an image manifest of the schema-2 shape (config + layers). */
export const isImageManifest = (mediaType: string): boolean =>
  mediaType === DOCKER_MANIFEST || mediaType === OCI_MANIFEST;

/** Whether a media type is a list of manifests (Docker manifest list or OCI index). */
export const isIndex = (mediaType: string): boolean => mediaType === DOCKER_LIST || mediaType === OCI_INDEX;

/** Whether a manifest is Docker schema 1, by its type or, without one, by its schemaVersion. */
export const isSchema1 = (mediaType: string, schemaVersion: unknown): boolean =>
  mediaType === SCHEMA1 || mediaType === SCHEMA1_SIGNED || schemaVersion === 1;
