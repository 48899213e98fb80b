import { runScript } from '../../helpers/run-script';

// The scanner image runs the committed scan-image.js; it must be what the sources build. Checked in
// a child process: loading TypeScript into a test worker keeps the worker from exiting promptly.
test('the committed gate bundle is current (run `npm run gate` after changing container/scanner/gate)', () => {
  const run = runScript(process.execPath, [
    '--require',
    'ts-node/register',
    'container/scanner/gate/bundle.ts',
    '--check',
  ]);

  expect(run.stderr).toBe('');
  expect(run.stdout).toBe('container/scanner/scan-image.js is current\n');
  expect(run.status).toBe(0);
});
