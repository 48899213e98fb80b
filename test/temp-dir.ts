/**
 * Gives each test file a temporary directory of its own inside the run's TMPDIR (scripts/test.sh
 * makes one per run), and removes it after the file, failures included. os.tmpdir() answers it
 * for the whole file (jest's sandboxed process.env would not reach Node's os module), so whatever
 * a test or CDK creates there, and whatever the scripts it runs create with mktemp (the run
 * helpers pass TMPDIR on), goes away with it. Registered in jest.config.js (setupFilesAfterEnv).
 */
import * as fs from 'fs';
import * as path from 'path';

// The module object itself: `import * as` would give a copy, and the spy would not reach others.
const os: typeof import('os') = require('os');

const fileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'test-file-'));
const tmpdir = jest.spyOn(os, 'tmpdir').mockReturnValue(fileDir);

afterAll(() => {
  tmpdir.mockRestore();
  fs.rmSync(fileDir, { recursive: true, force: true });
});
