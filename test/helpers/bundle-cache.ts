import { createHash } from 'crypto';
import * as path from 'path';
import { BUNDLES, build } from '../../container/scanner/gate/bundle';
import { cachedOutputs, CheckInputs, inputsKey } from './input-cache';
import { REPO_ROOT } from './run-script';

/** Where the tests keep what the scanner's bundles build to, across runs (a fresh install empties it). */
export const BUNDLE_CACHE = path.join(REPO_ROOT, 'node_modules', '.cache', 'clair-pipeline', 'scanner-bundles');

/** One of the scanner image's bundles (container/scanner/gate/bundle.ts). */
export type ScannerBundle = (typeof BUNDLES)[number];

/**
 * Everything a build of the scanner's bundles reads: every file of container/scanner/gate (the
 * sources, bundle.ts with esbuild's options and the bundles' headers), the installed packages (by
 * `node_modules/.package-lock.json`: esbuild, yaml, the AWS SDK), the tsconfig.json and
 * package.json esbuild consults, and Node's version. The build refuses any input outside the gate's
 * directory and those packages, so nothing else can change its output.
 */
export function bundleInputs(): CheckInputs {
  return {
    directories: { 'container/scanner/gate': path.join(REPO_ROOT, 'container', 'scanner', 'gate') },
    files: Object.fromEntries(
      ['node_modules/.package-lock.json', 'tsconfig.json', 'package.json'].map((file) => [
        file,
        path.join(REPO_ROOT, file),
      ]),
    ),
    versions: { node: process.version },
  };
}

/**
 * The SHA-256 of what `bundle` builds to from the current sources: built with esbuild (about 1 s
 * of CPU for both) the first time, then kept by the key of {@link bundleInputs}, so a run whose
 * inputs did not change compares the committed file with the digest of that build. A build that
 * throws is never kept.
 */
export function builtBundleDigest(bundle: ScannerBundle, cache: string = BUNDLE_CACHE): string {
  const inputs = bundleInputs();
  const key = inputsKey({ ...inputs, versions: { ...inputs.versions, bundle: path.basename(bundle.file) } });
  return cachedOutputs(
    cache,
    key,
    () => sha256(build(bundle)),
    () => true,
  );
}

/** The hex SHA-256 of `text`. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
