import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runScript, RunScriptResult } from './run-script';

/** One command for {@link runScripts}. */
export interface ScriptRun {
  readonly cmd: string;
  readonly args: readonly string[];
  /**
   * The command's whole environment, besides the test file's TMPDIR (as for runScript).
   * @default only PATH from the test runner
   */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Runs each command to completion, one after the other, each as runScript would run it alone: in
 * the repository root, its environment exactly `env` plus TMPDIR, its output captured as UTF-8.
 * All of them start from one shell, so Node starts one process instead of one per command: for a
 * short script that costs more than the script itself. Throws if a command could not be started
 * (not on its PATH); a command killed by a signal has the status a shell gives it, 128 + its number.
 */
export function runScripts(runs: readonly ScriptRun[]): RunScriptResult[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-scripts-'));
  try {
    const file = (i: number, kind: string) => shellQuote(path.join(dir, `${i}.${kind}`));
    const script = runs.map((run, i) => {
      const env = { TMPDIR: os.tmpdir(), ...(run.env ?? { PATH: process.env.PATH ?? '' }) };
      const assignments = Object.entries(env).map(([name, value]) => {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`runScripts: bad variable name '${name}'`);
        return `${name}=${shellQuote(value)}`;
      });
      // Exported in a subshell only, so each command sees its own variables and no other's; the
      // shell's own PWD is not passed on (one started by Node would not have it).
      const command = [run.cmd, ...run.args].map(shellQuote).join(' ');
      return [
        `(unset PWD; export ${assignments.join(' ')}; `,
        `command -v ${shellQuote(run.cmd)} >/dev/null || { : >${file(i, 'missing')}; exit 127; }; `,
        `exec ${command}) </dev/null >${file(i, 'out')} 2>${file(i, 'err')}; echo $? >${file(i, 'status')}`,
      ].join('');
    });
    // The shell gets no variables besides TMPDIR, which every command gets anyway.
    const shell = runScript('sh', ['-c', script.join('\n')], { env: {} });
    if (shell.status !== 0 || shell.stderr !== '') {
      throw new Error(`runScripts: the shell failed (${shell.status}): ${shell.stderr}`);
    }
    return runs.map((run, i) => {
      if (fs.existsSync(path.join(dir, `${i}.missing`))) throw new Error(`could not run ${run.cmd}: not found`);
      const read = (kind: string) => fs.readFileSync(path.join(dir, `${i}.${kind}`), 'utf8');
      return { status: Number(read('status')), stdout: read('out'), stderr: read('err') };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `value` as one single-quoted shell word. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
