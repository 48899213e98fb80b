import { EXIT, ExitCode } from './errors';
import { Output } from './main';
import { escapeControls } from './text';

/** A program of the scanner image: it reads its environment and writes through `out`. */
export type Program = (env: NodeJS.ProcessEnv, out: Output) => Promise<ExitCode>;

/**
 * Runs a bundle's program on this process's environment and sets the exit code it returns. Any
 * failure outside the program's own handling is an internal error (70), never a verdict.
 */
export function runProgram(name: string, program: Program): void {
  const failClosed = (error: unknown): void => {
    process.stderr.write(
      `${name}: internal error: ${escapeControls(String((error as Error)?.message ?? error))}; failing closed\n`,
    );
    process.exit(EXIT.internal);
  };
  process.on('uncaughtException', failClosed);
  process.on('unhandledRejection', failClosed);
  program(process.env, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }).then((code) => {
    process.exitCode = code;
  }, failClosed);
}
