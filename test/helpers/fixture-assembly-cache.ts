import * as fs from 'fs';
import * as path from 'path';
import { CheckInputs, inputsKey } from './input-cache';
import { REPO_ROOT } from './run-script';

/**
 * The fixture apps' cloud assemblies (test/helpers/synthesize-fixture-apps.ts), kept across runs
 * by the key of everything a synth can read, so that a run whose inputs did not change copies
 * them instead of synthesizing every fixture app again (about 11 s of CPU). A fresh install empties it.
 */
export const FIXTURE_ASSEMBLY_CACHE = path.join(
  REPO_ROOT,
  'node_modules',
  '.cache',
  'clair-pipeline',
  'fixture-assemblies',
);

/** How many keys are kept, newest first: an edit loop goes back and forth between a few. */
const KEPT_KEYS = 3;

/** Top-level entries that are not inputs: installed packages (the lock file stands for them), git, CDK's own output. */
const NOT_INPUTS = new Set(['node_modules', '.git', 'cdk.out']);

/** Environment variables that name this run's own paths, not inputs. */
const PER_RUN = new Set(['CDK_ERROR_FILE', 'CDK_OUTDIR']);

/**
 * What a synth reads: every file of the repository (its sources, assets, configuration, fixtures
 * and the tests' helpers) except the test files themselves (`*.test.ts`, which a synth never
 * loads), the installed packages (by `node_modules/.package-lock.json`), Node's version and the
 * CDK's environment variables.
 */
export function fixtureInputs(env: NodeJS.ProcessEnv = process.env): CheckInputs {
  const directories: Record<string, string> = {};
  const files: Record<string, string> = {
    'node_modules/.package-lock.json': path.join(REPO_ROOT, 'node_modules', '.package-lock.json'),
  };
  for (const entry of fs.readdirSync(REPO_ROOT)) {
    if (NOT_INPUTS.has(entry)) continue;
    const full = path.join(REPO_ROOT, entry);
    if (fs.statSync(full).isDirectory()) directories[entry] = full;
    else files[entry] = full;
  }
  const versions: Record<string, string> = { node: process.version };
  for (const [name, value] of Object.entries(env)) {
    if (/^(CDK|JSII)_/.test(name) && !PER_RUN.has(name)) versions[`env ${name}`] = value ?? '';
  }
  return { directories, files, versions, notInputs: /(^|\/)[^/]+\.test\.ts$/ };
}

/** The key of {@link fixtureInputs}: any changed byte, file name or version gives another key. */
export function fixtureInputsKey(env: NodeJS.ProcessEnv = process.env): string {
  return inputsKey(fixtureInputs(env));
}

/** Copies `<from>/<name>` to `<to>/<name>` for every name, each through `<name>.partial`, so it appears whole. */
function copyAll(names: string[], from: string, to: string): void {
  for (const name of names) {
    const partial = path.join(to, `${name}.partial`);
    fs.cpSync(path.join(from, name), partial, { recursive: true });
    fs.renameSync(partial, path.join(to, name));
  }
}

/** Copies the assemblies kept under `key` into `root`; false when they are not all kept. */
export function restoreAssemblies(key: string, names: string[], root: string): boolean {
  const entry = path.join(FIXTURE_ASSEMBLY_CACHE, key);
  if (!names.every((name) => fs.existsSync(path.join(entry, name, 'manifest.json')))) return false;
  copyAll(names, entry, root);
  const now = new Date();
  fs.utimesSync(entry, now, now);
  return true;
}

/** Keeps the assemblies in `root` under `key` (written whole, then renamed), and only the newest few keys. */
export function keepAssemblies(key: string, names: string[], root: string): void {
  const entry = path.join(FIXTURE_ASSEMBLY_CACHE, key);
  const partial = `${entry}.${process.pid}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  copyAll(names, root, partial);
  fs.rmSync(entry, { recursive: true, force: true });
  fs.renameSync(partial, entry);
  const kept = fs
    .readdirSync(FIXTURE_ASSEMBLY_CACHE)
    .map((name) => path.join(FIXTURE_ASSEMBLY_CACHE, name))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  for (const old of kept.slice(KEPT_KEYS)) fs.rmSync(old, { recursive: true, force: true });
}
