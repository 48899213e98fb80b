import { isPlainObject, parseJson } from './config-reader';

/** The context key in cdk.json that holds the whole configuration. */
export const CONTEXT_KEY = 'clairPipeline';

/** The configuration as cdk.json and the command line give it, before validation. */
export interface RawConfig {
  /** The `clairPipeline` object with every `-c clairPipeline.<path>=<value>` applied. */
  readonly raw: unknown;
  /**
   * Context keys spelled like ours in another case or with separators (`ClairPipeline.…`,
   * `clair-pipeline`), with their values: CDK hands them to the app, which would ignore them.
   */
  readonly lookalikes: ReadonlyMap<string, unknown>;
  /**
   * Per environment that only `-c` names (the base configuration has no such environment), the
   * settings given for it, by their path inside the environment.
   */
  readonly commandLineEnvironments: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

/**
 * Reads the configuration from all of an app's context: the `clairPipeline` object (cdk.json, or
 * a whole configuration as JSON with `-c clairPipeline='{…}'`), then the `-c
 * clairPipeline.<dotted.path>=<value>` overrides on top. Values stay strings (the readers convert
 * numbers, booleans and JSON lists).
 */
export function readRawConfig(context: Record<string, unknown>): RawConfig {
  const base = context[CONTEXT_KEY];
  let raw = structuredClone(typeof base === 'string' ? parseJson(base) : base);
  const baseEnvironments = environmentNames(raw);
  const commandLineEnvironments = new Map<string, Record<string, unknown>>();
  const lookalikes = new Map<string, unknown>();
  for (const [key, value] of Object.entries(context)) {
    const [head, ...path] = key.split('.');
    if (head !== CONTEXT_KEY) {
      if (head.toLowerCase().replace(/[-_]/g, '') === CONTEXT_KEY.toLowerCase()) lookalikes.set(key, value);
      continue;
    }
    if (path.length === 0) continue;
    const [section, name, ...setting] = path;
    if (section === 'environments' && name && setting.length > 0 && !baseEnvironments.includes(name)) {
      commandLineEnvironments.set(name, { ...commandLineEnvironments.get(name), [setting.join('.')]: value });
    }
    raw = isPlainObject(raw) ? raw : {};
    let target = raw as Record<string, unknown>;
    for (const part of path.slice(0, -1)) {
      if (!isPlainObject(target[part])) target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    target[path[path.length - 1]] = value;
  }
  return { raw, lookalikes, commandLineEnvironments };
}

function environmentNames(raw: unknown): string[] {
  return isPlainObject(raw) && isPlainObject(raw.environments) ? Object.keys(raw.environments) : [];
}
