import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Builds the scanner image's two JavaScript files, which it runs with Debian's Node 18
 * (docs/design.md, "The gate is a typed program"), each one CommonJS file for Node 18 that loads
 * only Node's built-in modules besides what it holds:
 * - container/scanner/scan-image.js, the gate (gate/entry.ts) with the `yaml` package;
 * - container/scanner/rescan-images.js, the rescan (gate/rescan/entry.ts): the gate's modules, yaml
 *   and the AWS SDK clients it calls (their ES module builds, so that esbuild keeps only the commands
 *   the rescan sends). A file of its own: the SDK would make the gate's every start read 2 MB more.
 * The output depends only on the sources and the pinned esbuild, yaml and SDK versions, so a test
 * rebuilds both and fails when a committed file is stale (`npm run gate` writes them).
 */

const REPO_ROOT = path.join(__dirname, '..', '..', '..');

/** What each bundle may hold besides the gate's own modules; anything else fails the build. */
const YAML = /^node_modules\/yaml\//;
/** The SDK clients with what they bring (Smithy, the SDK's own packages, their XML parser and helpers). */
const YAML_AND_SDK =
  /^node_modules\/(yaml|@aws-sdk\/[^/]+|@smithy\/[^/]+|@aws-crypto\/[^/]+|@aws\/lambda-invoke-store|tslib|fast-xml-parser|strnum|anynum|bowser)\//;

/** A committed bundle: the file, its entry, the packages it may hold and what its header says. */
interface Bundle {
  readonly file: string;
  readonly entry: string;
  readonly packages: RegExp;
  readonly describe: () => string;
}

/** The version of an installed package, for a bundle's first line. */
const versionOf = (name: string): string =>
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

/** The scanner image's bundles: the gate and the rescan. */
export const BUNDLES: readonly Bundle[] = [
  {
    file: path.join(__dirname, '..', 'scan-image.js'),
    entry: path.join(__dirname, 'entry.ts'),
    packages: YAML,
    describe: () =>
      [
        `// Generated from container/scanner/gate/*.ts and yaml ${versionOf('yaml')} by \`npm run gate\`; do not edit.`,
        '// The scan gate, run by container/scanner/scan-image with Node (docs/design.md).',
      ].join('\n'),
  },
  {
    file: path.join(__dirname, '..', 'rescan-images.js'),
    entry: path.join(__dirname, 'rescan', 'entry.ts'),
    packages: YAML_AND_SDK,
    describe: () =>
      [
        `// Generated from container/scanner/gate/**/*.ts, yaml ${versionOf('yaml')} and the AWS SDK for JavaScript ${versionOf('@aws-sdk/client-s3')} by \`npm run gate\`; do not edit.`,
        '// The rescan of what runs, run by container/scanner/rescan-images with Node (docs/rescans.md).',
      ].join('\n'),
  },
];

/** A bundle's text, from its entry and every module it requires. */
export function build(bundle: Bundle): string {
  const result = esbuild.buildSync({
    absWorkingDir: REPO_ROOT,
    entryPoints: [bundle.entry],
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
    banner: { js: bundle.describe() },
  });
  const outside = Object.keys(result.metafile.inputs).filter(
    (input) => !input.startsWith('container/scanner/gate/') && !bundle.packages.test(input),
  );
  if (outside.length > 0) throw new Error(`${path.basename(bundle.file)} may not bundle ${outside.join(', ')}`);
  return result.outputFiles[0].text;
}

if (require.main === module) {
  for (const bundle of BUNDLES) {
    fs.writeFileSync(bundle.file, build(bundle));
    console.log(`wrote ${path.relative(process.cwd(), bundle.file)}`);
  }
}
