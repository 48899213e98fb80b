import { EXIT, ExitCode } from './errors';
import { Output, main } from './main';
import { escapeControls } from './text';

/**
 * The programs of the bundle, by the command that runs them (its first argument). The rescan, with
 * the AWS SDK, is loaded only when it runs: the gate's every start would otherwise pay for it.
 */
const PROGRAMS: Record<string, (env: NodeJS.ProcessEnv, out: Output) => Promise<ExitCode>> = {
  'scan-image': main,
  'rescan-images': async (env, out) => (await import('./rescan/main')).rescan(env, out),
};

/**
 * The bundle's entry (container/scanner/scan-image.js): `node scan-image.js <program>` runs the gate
 * (`scan-image`, the default) or the rescan of what runs (`rescan-images`, docs/rescans.md) on this
 * process's environment. One bundle holds both, since the rescan is the gate's own modules. Any
 * failure outside a program's own handling is an internal error (70), never a verdict.
 */
const name = process.argv[2] ?? 'scan-image';
function failClosed(error: unknown): void {
  process.stderr.write(
    `${name}: internal error: ${escapeControls(String((error as Error)?.message ?? error))}; failing closed\n`,
  );
  process.exit(EXIT.internal);
}
process.on('uncaughtException', failClosed);
process.on('unhandledRejection', failClosed);

const program = PROGRAMS[name];
if (!program) {
  failClosed(new Error(`no program '${name}' in this bundle (${Object.keys(PROGRAMS).join(', ')})`));
} else {
  program(process.env, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }).then((code) => {
    process.exitCode = code;
  }, failClosed);
}
