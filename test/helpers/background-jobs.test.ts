/**
 * The servers npm test starts alongside jest (scripts/test.sh): scripts/publish-env.sh publishes a
 * wrapper's variables when its servers are ready and stops when told; the global setup waits for
 * every job (test/helpers/background-jobs.ts) and fails the run, naming the job, when one could not
 * be made ready.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backgroundJobsEnv, JOBS_DIR_ENV, JOBS_ENV } from './background-jobs';
import { REPO_ROOT, runScript } from './run-script';

const PUBLISH = path.join(REPO_ROOT, 'scripts', 'publish-env.sh');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A fresh directory of jobs. */
function jobsDir(): string {
  return fs.mkdtempSync(path.join(dir, 'run-'));
}

/** Waits until `file` exists. */
async function appears(file: string): Promise<void> {
  for (let i = 0; i < 500 && !fs.existsSync(file); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(fs.existsSync(file)).toBe(true);
}

test('publish-env.sh publishes the variables with its prefixes, whole, and ends with exit 0 when stopped', async () => {
  const jobs = jobsDir();
  const child = spawn('bash', [PUBLISH, jobs, 'server', 'TEST_PG_', 'TEST_REGISTRY'], {
    env: {
      PATH: process.env.PATH,
      TEST_PG_PORT: '5432',
      TEST_PG_CA: '/tmp/a dir/ca.crt',
      TEST_REGISTRY: '127.0.0.1:5000',
      TEST_REGISTRY_PASSWORD: 'p=w\nsecond line',
      TEST_OTHER: 'not published',
    },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await appears(path.join(jobs, 'server'));
  const env = await backgroundJobsEnv({ [JOBS_DIR_ENV]: jobs, [JOBS_ENV]: 'server' });
  expect(env).toEqual({
    TEST_PG_PORT: '5432',
    TEST_PG_CA: '/tmp/a dir/ca.crt',
    TEST_REGISTRY: '127.0.0.1:5000',
    TEST_REGISTRY_PASSWORD: 'p=w\nsecond line',
  });
  expect(fs.readdirSync(jobs).sort()).toEqual(['server', 'server.pid']);
  process.kill(Number(fs.readFileSync(path.join(jobs, 'server.pid'), 'utf8')));
  expect(await exited).toBe(0);
});

test('publish-env.sh stopped while it is still publishing also ends with exit 0', async () => {
  const jobs = jobsDir();
  const child = spawn('bash', [PUBLISH, jobs, 'server', 'TEST_PG_'], {
    env: { PATH: process.env.PATH, TEST_PG_PORT: '5432' },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await appears(path.join(jobs, 'server.pid'));
  process.kill(Number(fs.readFileSync(path.join(jobs, 'server.pid'), 'utf8')));
  expect(await exited).toBe(0);
});

test('publish-env.sh publishes nothing and stops at once when the run has already ended', () => {
  const jobs = jobsDir();
  fs.writeFileSync(path.join(jobs, 'stop'), '');
  const run = runScript('bash', [PUBLISH, jobs, 'server', 'TEST_PG_'], {
    env: { PATH: process.env.PATH, TEST_PG_PORT: '1' },
  });
  expect(run.status).toBe(0);
  expect(fs.existsSync(path.join(jobs, 'server'))).toBe(false);
});

test('publish-env.sh needs a directory, a name and a prefix', () => {
  const run = runScript('bash', [PUBLISH, jobsDir(), 'server']);
  expect(run.status).toBe(64);
  expect(run.stderr).toBe('usage: publish-env.sh DIR NAME PREFIX...\n');
});

test("the global setup waits for a job that is not ready yet, and gets every job's variables", async () => {
  const jobs = jobsDir();
  fs.writeFileSync(path.join(jobs, 'cfn-lint'), '');
  setTimeout(() => fs.writeFileSync(path.join(jobs, 'postgres'), 'TEST_PG_PORT=5432\0'), 100);
  const env = await backgroundJobsEnv({ [JOBS_DIR_ENV]: jobs, [JOBS_ENV]: 'cfn-lint postgres' });
  expect(env).toEqual({ TEST_PG_PORT: '5432' });
});

test('a job that ended without being ready fails the run, naming it', async () => {
  const jobs = jobsDir();
  fs.writeFileSync(path.join(jobs, 'cfn-lint'), '');
  fs.writeFileSync(path.join(jobs, 'registry.failed'), '1\n');
  await expect(backgroundJobsEnv({ [JOBS_DIR_ENV]: jobs, [JOBS_ENV]: 'cfn-lint registry' })).rejects.toThrow(
    'npm test: registry could not be made ready (exit 1); its messages are above',
  );
});

test('a job that is never ready fails the run when its time is up', async () => {
  await expect(backgroundJobsEnv({ [JOBS_DIR_ENV]: jobsDir(), [JOBS_ENV]: 'postgres' }, 50)).rejects.toThrow(
    'npm test: postgres was not ready within 50 ms',
  );
});

test('jest started by hand has no jobs to wait for', async () => {
  expect(await backgroundJobsEnv({})).toEqual({});
});
