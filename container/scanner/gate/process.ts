import { spawn } from 'child_process';
import { Deadline, DeadlineError } from './deadline';
import { TooLargeError } from './http';

/** What a finished child process left behind. */
export interface ProcessResult {
  /** Exit code; null when killed by a signal. */
  readonly status: number | null;
  readonly stdout: string;
  /** The end of its standard error (at most the last 64 KiB). */
  readonly stderr: string;
}

/** The most of a child's standard error kept: its end, where the cause is. */
const MAX_STDERR_CHARS = 64 * 1024;

/**
 * Runs a command (no shell) with exactly `env`, capturing its output: standard output up to
 * `maxStdout` bytes (beyond, the child is killed and {@link TooLargeError} thrown), standard error's
 * end. The child is killed at the scan's deadline ({@link DeadlineError}). Rejects with the spawn
 * error when the command cannot be started.
 */
export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { deadline: Deadline; maxStdout: number; what: string },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let failure: Error | undefined;
    const stop = (error: Error) => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => stop(new DeadlineError(opts.deadline.seconds, opts.what)),
      opts.deadline.remainingMs(),
    );
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > opts.maxStdout) stop(new TooLargeError(`the output of ${opts.what}`, opts.maxStdout));
      else stdout.push(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-MAX_STDERR_CHARS);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      if (failure) reject(failure);
      else resolve({ status, stdout: Buffer.concat(stdout).toString('utf8'), stderr });
    });
  });
}
