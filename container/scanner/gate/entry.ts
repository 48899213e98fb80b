import { EXIT } from './errors';
import { main } from './main';
import { escapeControls } from './text';

/**
 * The bundle's entry (container/scanner/scan-image.js): the gate on this process's environment.
 * Any failure outside the gate's own handling is an internal error (70), never a verdict.
 */
function failClosed(error: unknown): void {
  process.stderr.write(
    `scan-image: internal error: ${escapeControls(String((error as Error)?.message ?? error))}; failing closed\n`,
  );
  process.exit(EXIT.internal);
}
process.on('uncaughtException', failClosed);
process.on('unhandledRejection', failClosed);

main(process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
}, failClosed);
