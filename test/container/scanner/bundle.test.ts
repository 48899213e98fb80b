import * as fs from 'fs';
import * as path from 'path';
import { BUNDLES, build } from '../../../container/scanner/gate/bundle';
import { REPO_ROOT, runScript } from '../../helpers/run-script';

// The scanner image runs the committed scan-image.js (the gate) and rescan-images.js (the rescan);
// each must be what the sources build.
test.each(BUNDLES.map((bundle) => [path.basename(bundle.file), bundle] as const))(
  'the committed %s is current (run `npm run gate` after changing container/scanner/gate)',
  (_name, bundle) => {
    expect(fs.readFileSync(bundle.file, 'utf8') === build(bundle)).toBe(true);
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
