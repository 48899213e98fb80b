import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backgroundJobsEnv } from './helpers/background-jobs';
import { TYPESCRIPT_LOADER } from './helpers/command-line';
import { FIXTURE_ASSEMBLIES_ENV } from './helpers/default-assembly';
import { SOURCE_CONDITION } from './helpers/run-script';

/** Where, beside the assembly, CDK would record an error raised during synthesis, caught or not. */
export const ERROR_FILE = 'error.txt';

/** Environment variable holding the background synthesis's process id, for the teardown. */
export const SYNTH_PID_ENV = 'CLAIR_PIPELINE_TEST_SYNTH_PID';

/**
 * Starts synthesizing the fixture apps (the shipped configuration, a company's) in the background,
 * into a fresh directory that the test files read (test/helpers/default-assembly.ts waits for
 * them) and the global teardown removes. Synthesis is the slow part of the suite: it runs once
 * per `npm test`, alongside the tests that do not need it. Then waits for the servers that
 * scripts/test.sh started alongside jest and hands their variables to the tests (the workers
 * start after the global setup, with its environment).
 */
export default async function globalSetup(): Promise<void> {
  startFixtureSynthesis();
  try {
    Object.assign(process.env, await backgroundJobsEnv());
  } catch (error) {
    // No test runs, and so no global teardown: the synthesis stops here.
    stopFixtureSynthesis();
    throw error;
  }
}

/**
 * Stops the background synthesis if it has not finished (a run of unrelated tests, or one that
 * ends before its tests), and removes the directory it synthesized into.
 */
export function stopFixtureSynthesis(): void {
  const pid = Number(process.env[SYNTH_PID_ENV]);
  try {
    if (pid) process.kill(pid);
  } catch {
    // already finished
  }
  const dir = process.env[FIXTURE_ASSEMBLIES_ENV];
  if (dir) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
}

/** Starts the background synthesis of the fixture apps. */
function startFixtureSynthesis(): void {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'fixture-apps-'));
  const dir = path.join(parent, 'assemblies');
  fs.mkdirSync(dir);
  // Its own temporary files go into the directory the teardown removes, and so does the error
  // file the CDK CLI would give it (no error may be raised, even if caught).
  const child = spawn(
    process.execPath,
    [
      SOURCE_CONDITION,
      '--require',
      TYPESCRIPT_LOADER,
      path.join(__dirname, 'helpers', 'synthesize-fixture-apps.ts'),
      dir,
    ],
    {
      cwd: path.join(__dirname, '..'),
      stdio: 'ignore',
      detached: true,
      env: { ...process.env, TMPDIR: parent, CDK_ERROR_FILE: path.join(parent, ERROR_FILE) },
    },
  );
  child.unref();
  process.env[FIXTURE_ASSEMBLIES_ENV] = dir;
  process.env[SYNTH_PID_ENV] = String(child.pid);
}
