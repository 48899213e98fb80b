import * as fs from 'fs';
import { BUNDLE_FILE, bundleGate } from '../../../container/scanner/gate/bundle';

// The scanner image runs the committed scan-image.js (the gate and the rescan); it must be what the
// sources build.
test('the committed gate bundle is current (run `npm run gate` after changing container/scanner/gate)', () => {
  expect(fs.readFileSync(BUNDLE_FILE, 'utf8') === bundleGate()).toBe(true);
});
