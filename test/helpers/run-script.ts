import { spawn, spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';

/** Options for {@link runScript}. */
export interface RunScriptOptions {
  /**
   * The environment of the child process; nothing else is inherited from the test runner but
   * TMPDIR, so that the child's temporary files land in the test file's own directory.
   * @default only PATH from the test runner
   */
  readonly env?: NodeJS.ProcessEnv;
  /** Working directory. @default the repository root */
  readonly cwd?: string;
  /** Text written to the child's standard input. @default no input (stdin is closed) */
  readonly input?: string;
}

/** What a finished child process left behind. */
export interface RunScriptResult {
  /** Exit code; `null` only if the process was killed by a signal. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The repository root, for running scripts by their repository path. */
export const REPO_ROOT: string = path.resolve(__dirname, '..', '..');

/**
 * Runs `cmd args...` to completion without a shell and captures its output as UTF-8 text.
 * Throws only if the command could not be started at all (e.g. not on PATH), so a test never
 * mistakes "not installed" for "exited non-zero".
 */
export function runScript(cmd: string, args: string[], opts: RunScriptOptions = {}): RunScriptResult {
  const result = spawnSync(cmd, args, {
    cwd: opts.cwd ?? REPO_ROOT,
    env: childEnv(opts),
    input: opts.input ?? '',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) {
    throw new Error(`could not run ${cmd}: ${result.error.message}`);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Like {@link runScript}, but without blocking: start many commands and await them together when
 * each is slow to start (psql connections, for example). Rejects only if the command could not be
 * started at all.
 */
export function runScriptAsync(cmd: string, args: string[], opts: RunScriptOptions = {}): Promise<RunScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? REPO_ROOT, env: childEnv(opts) });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => reject(new Error(`could not run ${cmd}: ${error.message}`)));
    // A child that exits without reading its input is not an error.
    child.stdin.on('error', () => undefined);
    child.on('close', (status) => {
      const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8');
      resolve({ status, stdout: text(stdout), stderr: text(stderr) });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** The child's environment: the given one (or PATH only), plus the test file's TMPDIR. */
function childEnv(opts: RunScriptOptions): NodeJS.ProcessEnv {
  return { TMPDIR: os.tmpdir(), ...(opts.env ?? { PATH: process.env.PATH }) };
}

/**
 * The Node flag that resolves `@clair-pipeline/scan` to its TypeScript source in this repository
 * (its package.json `exports`), as cdk.json's app command does: a child process that runs the app
 * from its TypeScript source (scripts/swc-register.js) needs it.
 */
export const SOURCE_CONDITION = '--conditions=clair-pipeline-source';
