import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Builds the gate's single JavaScript file, container/scanner/scan-image.js, which the scanner image
 * runs with Debian's Node 18 (docs/design.md, "The gate is a typed program"): the gate's TypeScript
 * modules (this directory, from entry.ts), the `yaml` package and the rescan's AWS SDK clients
 * (their ES module builds, so that esbuild keeps only the commands the rescan sends), as one
 * CommonJS file for Node 18. Node's built-in modules are the only others it loads. The output
 * depends only on the sources and the pinned esbuild, yaml and SDK versions, so a test rebuilds it
 * and fails when the committed file is stale (`npm run gate` writes it).
 */

/** The committed bundle: the gate and the rescan (entry.ts picks the program). */
export const BUNDLE_FILE = path.join(__dirname, '..', 'scan-image.js');
const REPO_ROOT = path.join(__dirname, '..', '..', '..');

/**
 * The packages the bundle may hold: yaml, and the SDK clients with what they bring (Smithy,
 * the SDK's own packages, their XML parser and helpers). Anything else fails the build.
 */
const PACKAGES =
  /^node_modules\/(yaml|@aws-sdk\/[^/]+|@smithy\/[^/]+|@aws-crypto\/[^/]+|@aws\/lambda-invoke-store|tslib|fast-xml-parser|strnum|anynum|bowser)\//;

/** The version of an installed package, for the bundle's first line. */
const versionOf = (name: string): string =>
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

/** The bundle's text, from entry.ts and every module it requires. */
export function bundleGate(): string {
  const result = esbuild.buildSync({
    absWorkingDir: REPO_ROOT,
    entryPoints: [path.join(__dirname, 'entry.ts')],
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    mainFields: ['module', 'main'],
    charset: 'utf8',
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'silent',
    banner: {
      js: [
        `// Generated from container/scanner/gate/*.ts, yaml ${versionOf('yaml')} and the AWS SDK for JavaScript ${versionOf('@aws-sdk/client-s3')} by \`npm run gate\`; do not edit.`,
        '// The scan gate and the rescan, run by container/scanner/scan-image and rescan-images with Node (docs/design.md).',
      ].join('\n'),
    },
  });
  const outside = Object.keys(result.metafile.inputs).filter(
    (input) => !input.startsWith('container/scanner/gate/') && !PACKAGES.test(input),
  );
  if (outside.length > 0) throw new Error(`the gate may not bundle ${outside.join(', ')}`);
  return result.outputFiles[0].text;
}

if (require.main === module) {
  fs.writeFileSync(BUNDLE_FILE, bundleGate());
  console.log(`wrote ${path.relative(process.cwd(), BUNDLE_FILE)}`);
}
