import * as path from 'path';
import { cachedOutputs, inputsKey } from './input-cache';
import { REPO_ROOT, runScript, RunScriptResult } from './run-script';

/** Where the tests keep shellcheck's results for the tree's scripts, across runs (a fresh install empties it). */
export const SHELLCHECK_CACHE = path.join(REPO_ROOT, 'node_modules', '.cache', 'clair-pipeline', 'shellcheck');

/**
 * `shellcheck ...args ...files` (paths relative to the repository root, checked from there): its
 * result is kept by the installed shellcheck's version, the arguments and every file's path and
 * text (test/helpers/input-cache.ts), so the same scripts are checked once (the check of the whole
 * tree costs about 2 s of CPU). A changed script, argument or shellcheck checks them all again.
 * Throws, as runScript does, when shellcheck is not installed.
 */
export function shellcheckWithCache(
  args: string[],
  files: string[],
  cache: string = SHELLCHECK_CACHE,
): RunScriptResult {
  const key = inputsKey({
    directories: {},
    files: Object.fromEntries(files.map((file) => [file, path.join(REPO_ROOT, file)])),
    versions: { shellcheck: runScript('shellcheck', ['--version']).stdout, arguments: JSON.stringify(args) },
  });
  // Its verdict either way: the same scripts get the same findings.
  return cachedOutputs(
    cache,
    key,
    () => runScript('shellcheck', [...args, ...files]),
    () => true,
  );
}
