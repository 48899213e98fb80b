import { commandLineOption, configFixHint, isPlainObject, parseJson, ProblemList, show } from './config-reader';
import { closestMatch } from './suggest';

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

/**
 * Context keys that differ from ours only in case or separators are refused: CDK would hand them
 * to the app, and the app would ignore them, so an override the user asked for would silently not
 * happen.
 */
export function checkLookalikes(lookalikes: ReadonlyMap<string, unknown>, problems: ProblemList): void {
  for (const [key, value] of lookalikes) {
    const [, ...path] = key.split('.');
    const [given, fix] =
      path.length > 0
        ? [commandLineOption(key, value), `write ${commandLineOption([CONTEXT_KEY, ...path].join('.'), value)}`]
        : [`the key '${key}'`, `rename it to '${CONTEXT_KEY}' in cdk.json`];
    problems.add(
      key,
      `is not read: context keys are case-sensitive and this project's key is '${CONTEXT_KEY}', got ${given}; ${fix}`,
    );
  }
}

/**
 * A configuration that is no object at all gets one message, not one per missing setting. A
 * string here came from `-c clairPipeline=…`, which gives a whole configuration as JSON.
 */
export function checkRootIsObject(raw: unknown, lookalikes: number, problems: ProblemList): void {
  if (isPlainObject(raw)) return;
  if (raw === undefined) {
    if (lookalikes === 0) problems.add(CONTEXT_KEY, `is missing; ${configFixHint(CONTEXT_KEY)}`);
  } else if (typeof raw === 'string') {
    problems.add(
      CONTEXT_KEY,
      `given with -c must be a whole configuration as a JSON object, got ${show(raw)} (${jsonError(raw)}); fix the JSON, or set the configuration in cdk.json (context ${CONTEXT_KEY}) and override single settings with -c ${CONTEXT_KEY}.<setting>=<value>`,
    );
  } else {
    problems.add(CONTEXT_KEY, `must be an object, got ${show(raw)}; set it in cdk.json (context ${CONTEXT_KEY})`);
  }
  problems.throwIfAny();
}

function jsonError(text: string): string {
  try {
    JSON.parse(text);
    return 'valid JSON, but not an object';
  } catch (error) {
    return `not valid JSON: ${(error as Error).message}`;
  }
}

export function unknownEnvironmentMessage(
  path: string,
  given: Readonly<Record<string, unknown>>,
  known: string[],
): string {
  const name = path.slice(path.lastIndexOf('.') + 1);
  const envsPath = path.slice(0, path.lastIndexOf('.'));
  const closest = closestMatch(name, known);
  const settings = Object.entries(given);
  const existing = known.length > 0 ? `which has ${known.join(', ')}` : 'which has none';
  const guess = closest ? ` (did you mean ${closest}?)` : '';
  const change = closest
    ? `to change ${closest}, write ${settings.map(([key, value]) => commandLineOption(`${envsPath}.${closest}.${key}`, value)).join(' ')}`
    : 'to change an environment, use one of those names';
  return `is not an environment of cdk.json, ${existing}${guess}, got ${settings.map(([key, value]) => commandLineOption(`${path}.${key}`, value)).join(' ')}; ${change}; to add a new environment '${name}', give at least its account and region (-c ${path}.account=<account id> -c ${path}.region=<region>) or add it to cdk.json`;
}
