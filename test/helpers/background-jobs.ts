import * as fs from 'fs';
import * as path from 'path';

/** The directory where scripts/test.sh's background jobs publish (scripts/publish-env.sh). */
export const JOBS_DIR_ENV = 'CLAIR_PIPELINE_TEST_JOBS_DIR';
/** The names of those jobs, separated by spaces. */
export const JOBS_ENV = 'CLAIR_PIPELINE_TEST_JOBS';

/** How long a job may take to be ready: cfn-lint's first install with pip on a fresh machine is the slow one. */
const JOB_WAIT_MS = 15 * 60_000;
/** How often the directory is looked at. */
const POLL_MS = 20;

/**
 * Waits for every background job scripts/test.sh started alongside jest (the check of cfn-lint,
 * PostgreSQL, the registries) to be ready, and returns the variables they published (`NAME=value`
 * entries, each ended by a NUL byte). Throws, naming the job, when one ended without being ready
 * (its own messages are on the terminal above) or is not ready in time. Without the variables
 * (jest started by hand) there are none to wait for, and the tests that need a server say so.
 */
export async function backgroundJobsEnv(
  env: NodeJS.ProcessEnv = process.env,
  waitMs: number = JOB_WAIT_MS,
): Promise<Record<string, string>> {
  const dir = env[JOBS_DIR_ENV];
  const names = (env[JOBS_ENV] ?? '').split(' ').filter(Boolean);
  if (!dir) return {};
  const published: Record<string, string> = {};
  const deadline = Date.now() + waitMs;
  for (const name of names) {
    const file = path.join(dir, name);
    while (!fs.existsSync(file)) {
      if (fs.existsSync(`${file}.failed`)) {
        const status = fs.readFileSync(`${file}.failed`, 'utf8').trim();
        throw new Error(`npm test: ${name} could not be made ready (exit ${status}); its messages are above`);
      }
      if (Date.now() > deadline) throw new Error(`npm test: ${name} was not ready within ${waitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    for (const entry of fs.readFileSync(file, 'utf8').split('\0')) {
      if (!entry) continue;
      const equals = entry.indexOf('=');
      published[entry.slice(0, equals)] = entry.slice(equals + 1);
    }
  }
  return published;
}
