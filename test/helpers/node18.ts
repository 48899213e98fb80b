import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from './run-script';

/**
 * The distribution's Node 18 (Debian bookworm's nodejs and libnode108: the scanner image's Node),
 * unpacked, never installed, by scripts/ensure-test-tools.sh.
 */
export const NODE18_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'clair-pipeline', 'node18');

/**
 * Writes `node` into `dir`: a wrapper that runs the unpacked Node 18 with its libraries, so that a
 * script that runs `node` from PATH runs it, as in the scanner image.
 */
export function installNode18(dir: string): void {
  const bin = path.join(NODE18_DIR, 'usr', 'bin', 'node');
  if (!fs.existsSync(bin)) throw new Error(`no Node 18 at ${bin}: scripts/ensure-test-tools.sh unpacks it`);
  const libs = path.join(NODE18_DIR, 'usr', 'lib', `${os.arch() === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`);
  fs.writeFileSync(path.join(dir, 'node'), `#!/bin/sh\nLD_LIBRARY_PATH='${libs}' exec '${bin}' "$@"\n`, {
    mode: 0o755,
  });
}
