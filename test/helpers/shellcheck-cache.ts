import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, runScript, RunScriptResult } from './run-script';

/** Where the tests keep shellcheck's results for the tree's scripts, across runs (a fresh install empties it). */
export const SHELLCHECK_CACHE = path.join(REPO_ROOT, 'node_modules', '.cache', 'clair-pipeline', 'shellcheck');

/**
 * `shellcheck ...args ...files` (paths relative to the repository root, checked from there): its
 * result is kept by the installed shellcheck's version, the arguments and every file's path and
 * text, so the same scripts are checked once (the check of the whole tree costs about 2 s of CPU).
 * A changed script, argument or shellcheck checks them all again. Throws, as runScript does, when
 * shellcheck is not installed.
 */
export function shellcheckWithCache(
  args: string[],
  files: string[],
  cache: string = SHELLCHECK_CACHE,
): RunScriptResult {
  const version = runScript('shellcheck', ['--version']);
  const key = createHash('sha256').update(version.stdout).update(JSON.stringify(args));
  for (const file of files)
    key
      .update(`${file}\0`)
      .update(fs.readFileSync(path.join(REPO_ROOT, file)))
      .update('\0');
  const entry = path.join(cache, `${key.digest('hex')}.json`);
  if (fs.existsSync(entry)) return JSON.parse(fs.readFileSync(entry, 'utf8'));
  const result = runScript('shellcheck', [...args, ...files]);
  fs.mkdirSync(cache, { recursive: true });
  const partial = `${entry}.${process.pid}`;
  fs.writeFileSync(partial, JSON.stringify(result));
  fs.renameSync(partial, entry);
  return result;
}
