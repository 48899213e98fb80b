import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT, runScript } from './helpers/run-script';
import { shellcheckWithCache } from './helpers/shellcheck-cache';

/** Directories that hold no scripts of ours. */
const SKIPPED_DIRS = new Set(['node_modules', 'cdk.out', '.git', 'coverage']);

interface ShellScript {
  /** Path relative to the repository root. */
  readonly file: string;
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
    return [{ file: path.relative(REPO_ROOT, full) }];
  });
}

const scripts = shellScripts(REPO_ROOT);
let findings: string[] = [];

// One shellcheck process for every script (it takes each one's dialect from its shebang or
// `# shellcheck shell=` directive), one line per finding: `file:line:column: level: message`;
// none when these scripts, as they are, were checked before by the same shellcheck (its cache).
beforeAll(() => {
  // shellcheckWithCache throws when shellcheck is not installed: that fails every test below, never skips it.
  const result = shellcheckWithCache(
    ['--format=gcc', '--external-sources', '--source-path=SCRIPTDIR'],
    scripts.map((script) => script.file),
  );
  expect(result.stderr).toBe('');
  expect([0, 1]).toContain(result.status);
  findings = result.stdout.split('\n').filter((line) => line !== '');
});

test('finds the scripts of the tree, its own helpers included', () => {
  expect(scripts.map((script) => script.file)).toEqual(
    expect.arrayContaining(['scripts/test.sh', 'container/scanner/scan-image', 'test/helpers/stubs/aws']),
  );
});

test.each(scripts)('$file passes shellcheck', ({ file }) => {
  expect(findings.filter((line) => line.startsWith(`${file}:`))).toEqual([]);
});

test('rejects a script with a finding (the check fires)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shellcheck-'));
  fs.writeFileSync(path.join(dir, 'bad.sh'), '#!/usr/bin/env bash\necho $1\n');
  const result = runScript('shellcheck', ['--format=gcc', path.join(dir, 'bad.sh')]);
  expect(result.status).toBe(1);
  expect(result.stdout).toMatch(/bad\.sh:2:6: note: Double quote to prevent globbing and word splitting\. \[SC2086\]/);
});
