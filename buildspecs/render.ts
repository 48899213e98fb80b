import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { remoteScanBuildSpec } from '@clair-pipeline/scan';
import { scannerBuildSpec } from './scanner-buildspec';

/** The rendered buildspecs: file name in `buildspecs/` → the TypeScript that builds it (from the repository root) and its object. */
const BUILDSPECS: Record<string, { source: string; spec: Record<string, unknown> }> = {
  'scanner.yml': {
    source: 'buildspecs/scanner-buildspec.ts',
    spec: scannerBuildSpec({
      reportGroupArn: 'arn:aws:codebuild:eu-west-1:111111111111:report-group/clair-scanner-reports',
    }),
  },
  'remote-scan.yml': {
    source: 'packages/clair-scan/src/remote-scan-buildspec.ts',
    spec: remoteScanBuildSpec(),
  },
};

/** Renders every buildspec as reviewed YAML, file name → text, each starting with a "do not edit" line. */
export function renderBuildSpecs(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(BUILDSPECS).map(([file, { source, spec }]) => [
      file,
      `# Generated from ${source} by \`npm run buildspecs\`; do not edit.\n` + YAML.stringify(spec, { lineWidth: 0 }),
    ]),
  );
}

if (require.main === module) {
  for (const [file, text] of Object.entries(renderBuildSpecs())) {
    fs.writeFileSync(path.join(__dirname, file), text);
    console.log(`wrote buildspecs/${file}`);
  }
}
