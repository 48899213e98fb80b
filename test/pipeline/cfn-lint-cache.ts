import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, runScriptAsync } from '../helpers/run-script';

/** Where the tests keep cfn-lint's matches for each distinct template, across runs (a fresh install empties it). */
export const CFN_LINT_CACHE = path.join(REPO_ROOT, 'node_modules', '.cache', 'clair-pipeline', 'cfn-lint');

/** The script that installs the test tools, pinning their versions. */
const TEST_TOOLS = fs.readFileSync(path.join(REPO_ROOT, 'scripts', 'ensure-test-tools.sh'), 'utf8');

/**
 * `cfn-lint <version>` as the test command installs it (scripts/ensure-test-tools.sh), the version
 * the acknowledgements were reviewed with; test/pipeline/cfn-lint.test.ts checks it is the
 * installed one, so the other tests may key the cache on it without starting cfn-lint.
 */
export const PINNED_CFN_LINT = `cfn-lint ${/^CFN_LINT_VERSION=(\S+)$/m.exec(TEST_TOOLS)?.[1]}`;

/** Stands for the template's path in a cached match: the same template is synthesized to another path each run. */
const PLACEHOLDER = '<template>';

/**
 * cfn-lint's JSON matches for every file, each file linted once per distinct text and cfn-lint
 * version: the matches of files linted before come from the cache, the others from one cfn-lint
 * process over all of them (its start, a few seconds, is the slow part). `version` must be the
 * installed cfn-lint's (test/pipeline/cfn-lint.test.ts checks it is the pinned one).
 */
export async function lintWithCache(files: string[], version: string, cache: string = CFN_LINT_CACHE): Promise<any[]> {
  const entryOf = (file: string) => cacheEntry(file, version, cache);
  const missed = files.filter((file) => !fs.existsSync(entryOf(file)));
  if (missed.length > 0) {
    const run = await runScriptAsync(
      'cfn-lint',
      ['--format', 'json', '--non-zero-exit-code', 'none', '--', ...missed],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
      },
    );
    if (run.status !== 0) throw new Error(`cfn-lint failed (exit ${run.status}):\n${run.stderr}`);
    const matches: any[] = JSON.parse(run.stdout);
    fs.mkdirSync(cache, { recursive: true });
    for (const file of missed) {
      const own = matches.filter((match) => path.resolve(match.Filename) === file);
      const partial = `${entryOf(file)}.${process.pid}`;
      fs.writeFileSync(partial, JSON.stringify(own.map((match) => ({ ...match, Filename: PLACEHOLDER }))));
      fs.renameSync(partial, entryOf(file));
    }
  }
  return files.flatMap((file) =>
    JSON.parse(fs.readFileSync(entryOf(file), 'utf8')).map((match: any) => ({ ...match, Filename: file })),
  );
}

/** The cache file holding the matches of `file`'s text for a cfn-lint version. */
export function cacheEntry(file: string, version: string, cache: string = CFN_LINT_CACHE): string {
  return path.join(cache, `${createHash('sha256').update(version).update(fs.readFileSync(file)).digest('hex')}.json`);
}
