import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, runScript } from './helpers/run-script';

/** Directories that hold no scripts of ours. */
const SKIPPED_DIRS = new Set(['node_modules', 'cdk.out', '.git', 'coverage']);

interface ShellScript {
  /** Path relative to the repository root. */
  readonly file: string;
  /** The shell its shebang names (sh, bash, dash, ksh), or undefined without a shebang. */
  readonly shell?: string;
}

/**
 * Every shell script in the tree: a `.sh` or `.bash` file (a sourced library may have no shebang,
 * only a `# shellcheck shell=` directive), or any file whose shebang names a shell.
 */
function shellScripts(dir: string): ShellScript[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry): ShellScript[] => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : shellScripts(full);
    if (!entry.isFile()) return [];
    const firstLine = fs.readFileSync(full, 'utf8').split('\n', 1)[0];
    const shebang = /^#!\s*(?:\S*\/env\s+)?\S*?\b(sh|bash|dash|ksh)\b/.exec(firstLine);
    if (!shebang && !/\.(sh|bash)$/.test(entry.name)) return [];
    return [{ file: path.relative(REPO_ROOT, full), shell: shebang?.[1] }];
  });
}

const scripts = shellScripts(REPO_ROOT);

beforeAll(() => {
  // runScript throws when shellcheck is not installed: that fails every test below, never skips it.
  expect(runScript('shellcheck', ['--version']).status).toBe(0);
});

test.each(scripts)('$file passes shellcheck', ({ file, shell }) => {
  const dialect = shell ? ['--shell', shell] : [];
  const result = runScript('shellcheck', [...dialect, '--external-sources', '--source-path=SCRIPTDIR', file]);
  expect(result.stdout + result.stderr).toBe('');
  expect(result.status).toBe(0);
});
