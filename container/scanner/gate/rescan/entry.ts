import { EXIT } from '../errors';
import { escapeControls } from '../text';
import { rescan } from './main';

/**
 * The rescan bundle's entry (container/scanner/rescan-images.js): the rescan on this process's
 * environment. Any failure outside its own handling is an internal error (70), never "all clean".
 */
function failClosed(error: unknown): void {
  process.stderr.write(
    `rescan-images: internal error: ${escapeControls(String((error as Error)?.message ?? error))}; failing closed\n`,
  );
  process.exit(EXIT.internal);
}
process.on('uncaughtException', failClosed);
process.on('unhandledRejection', failClosed);

rescan(process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
}, failClosed);
