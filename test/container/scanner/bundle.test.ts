import * as fs from 'fs';
import * as path from 'path';
import { BUNDLES } from '../../../container/scanner/gate/bundle';
import { builtBundleDigest, bundleInputs, sha256 } from '../../helpers/bundle-cache';
import { REPO_ROOT, runScript } from '../../helpers/run-script';

// The scanner image runs the committed scan-image.js (the gate) and rescan-images.js (the rescan);
// each must be what the sources build (built once per change of its inputs: test/helpers/bundle-cache.ts).
test.each(BUNDLES.map((bundle) => [path.basename(bundle.file), bundle] as const))(
  'the committed %s is current (run `npm run gate` after changing container/scanner/gate)',
  (_name, bundle) => {
    expect(sha256(fs.readFileSync(bundle.file, 'utf8'))).toBe(builtBundleDigest(bundle));
  },
);

test('the gate bundle holds no AWS SDK: every start of scan-image reads it', () => {
  const gate = fs.readFileSync(BUNDLES[0].file, 'utf8');
  expect(gate).not.toMatch(/@aws-sdk|@smithy/);
  expect(gate.length).toBeLessThan(fs.readFileSync(BUNDLES[1].file, 'utf8').length / 3);
});

// The repository ignores *.js: a bundle it ignored would be missing from every clone.
test.each(BUNDLES.map((bundle) => [path.basename(bundle.file), bundle] as const))(
  '%s is not ignored by git, so a clone has it',
  (_name, bundle) => {
    expect(runScript('git', ['check-ignore', '--no-index', '-q', bundle.file], { cwd: REPO_ROOT }).status).toBe(1);
  },
);

// The build refuses any input outside the gate's directory and its allowed packages (bundle.ts), so
// a key over that directory and the installed packages names everything a build reads.
test("the cache's key covers the directory of every bundle's sources", () => {
  const dirs = Object.values(bundleInputs().directories);
  for (const bundle of BUNDLES) {
    expect(dirs.some((dir) => !path.relative(dir, bundle.entry).startsWith('..'))).toBe(true);
  }
  expect(Object.keys(bundleInputs().files)).toContain('node_modules/.package-lock.json');
});
