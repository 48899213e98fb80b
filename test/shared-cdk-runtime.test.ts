import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, FileSystem } from 'aws-cdk-lib';

// aws-cdk-lib is shared by the test files of a jest worker (test/shared-cdk-runtime.js): what it
// reads must still be this file's.

test("aws-cdk-lib's temporary directory is this file's, not an earlier file's (removed by now)", () => {
  expect(FileSystem.tmpdir).toBe(fs.realpathSync(os.tmpdir()));
  expect(path.basename(os.tmpdir())).toMatch(/^test-file-/);
});

test('aws-cdk-lib reads the environment this file sets', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'outdir-'));
  process.env.CDK_OUTDIR = outdir;
  try {
    expect(new App({ autoSynth: false }).outdir).toBe(outdir);
  } finally {
    delete process.env.CDK_OUTDIR;
  }
});
