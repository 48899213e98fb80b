/**
 * A small reader for untyped configuration (cdk.json context). Each accessor validates one key and
 * records a problem instead of throwing, so a user sees every mistake of a run at once; `done()`
 * also reports keys nobody asked for (typos must not be ignored silently).
 */

/**
 * Where the setting at `path` (e.g. `clairPipeline.environments.prod.account`) comes from and how
 * to fix it: appended to every message, naming that setting.
 */
export function configFixHint(path: string): string {
  return `set it in cdk.json (context ${path}) or override it with -c ${path}=<value>`;
}

/**
 * How to set the list setting at `path`, with `example` written the way each place needs it: a
 * JSON list in cdk.json, and on the command line a JSON list inside single quotes, which keep the
 * shell from removing the double quotes or expanding the brackets.
 */
export function listFixHint(path: string, example: readonly string[]): string {
  const json = JSON.stringify(example);
  return `set it in cdk.json (context ${path}) as a JSON list, for example ${json}, or override it with -c '${path}=${json}'`;
}

/**
 * How to set the object setting at `path`, given `given` instead. `-c` sets one value at a time: a
 * whole object given with `-c` arrives as a string, so the advice for one is a `-c` per setting
 * inside it, spelled out from the object, never another whole-object `-c`.
 */
export function objectFixHint(path: string, given: unknown): string {
  const parsed = typeof given === 'string' ? parseJson(given) : undefined;
  if (isPlainObject(parsed) && Object.keys(parsed).length > 0) {
    const each = commandLineOverrides(path, parsed).join(' ');
    return `-c sets one setting at a time, not a whole object: override each setting inside it with ${each}, or set the object in cdk.json (context ${path})`;
  }
  return `set it in cdk.json (context ${path}) as an object, or override one setting inside it with -c ${path}.<setting>=<value>`;
}

/** `-c` options that set every leaf of `value` under `path`. */
function commandLineOverrides(path: string, value: Record<string, unknown>): string[] {
  return Object.entries(value).flatMap(([key, child]) =>
    isPlainObject(child) ? commandLineOverrides(`${path}.${key}`, child) : [commandLineOption(`${path}.${key}`, child)],
  );
}

/**
 * The `-c` option that sets `path` to `value`, as typed into a POSIX shell: in single quotes when
 * the shell would otherwise change it (JSON lists, spaces).
 */
export function commandLineOption(path: string, value: unknown): string {
  const argument = `${path}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
  return `-c ${/^[\w@%+=:./-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`}`;
}

/** Thrown when the configuration is invalid; its message lists every problem, one per line. */
export class ConfigError extends Error {
  /** @param problems one message per invalid setting */
  constructor(public readonly problems: string[]) {
    super(`Invalid clair-pipeline configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Describes a string rule: a pattern and the human wording of what it means. */
export interface StringRule {
  /** The value must match this whole pattern. */
  readonly pattern: RegExp;
  /** What a valid value is, e.g. "a 12-digit AWS account id". */
  readonly description: string;
  /** An example of a valid value, shown in messages (as written, without quotes). */
  readonly example: string;
}

/** Collects problems for a whole configuration tree. */
export class ProblemList {
  private readonly problems: string[] = [];

  /** Records a problem for the setting at `path`. */
  add(path: string, message: string): void {
    this.problems.push(`${path} ${message}`);
  }

  /** Throws a {@link ConfigError} when any problem was recorded. */
  throwIfAny(): void {
    if (this.problems.length > 0) {
      throw new ConfigError(this.problems);
    }
  }
}

/** Reads the keys of one object in the configuration tree. */
export class ObjectReader {
  private readonly seen = new Set<string>();
  private readonly raw: Record<string, unknown>;

  /**
   * True when this object, or one it belongs to, is no object: its message covers what it would
   * have held, so its required settings are not reported missing one by one.
   */
  private readonly replaced: boolean;

  /**
   * @param path dotted path of this object, used in messages
   * @param value the raw value found at that path
   * @param problems where problems are recorded
   * @param replaced whether an enclosing object was already reported as no object
   */
  constructor(
    public readonly path: string,
    value: unknown,
    private readonly problems: ProblemList,
    replaced = false,
  ) {
    this.replaced = replaced;
    if (value === undefined) {
      this.raw = {};
    } else if (isPlainObject(value)) {
      this.raw = value;
    } else {
      problems.add(path, `must be an object, got ${show(value)}; ${objectFixHint(path, value)}`);
      this.replaced = true;
      this.raw = {};
    }
  }

  /** A required string matching `rule` (one problem when it is absent or invalid, never both). */
  string(key: string, rule: StringRule): string {
    if (!this.has(key)) return this.missing(key, rule.description, show(rule.example), '');
    return this.optionalString(key, rule) ?? '';
  }

  /** An optional string matching `rule`; `undefined` when absent. */
  optionalString(key: string, rule: StringRule): string | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (isUnquoted(value, rule)) {
      const path = this.childPath(key);
      this.problems.add(
        path,
        `must be ${rule.description}, got ${value} (a JSON number); quote it in cdk.json (context ${path}): "${key}": "${value}"`,
      );
      return undefined;
    }
    if (typeof value !== 'string' || !rule.pattern.test(value)) {
      this.invalid(key, value, rule.description, show(rule.example));
      return typeof value === 'string' ? value : undefined;
    }
    return value;
  }

  /** An integer in [min, max], or `fallback` when absent. */
  integer(key: string, fallback: number, min: number, max: number): number {
    const value = fromCommandLine(this.take(key), (text) => (/^\d+$/.test(text) ? Number(text) : text));
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.invalid(key, value, `an integer from ${min} to ${max}`, String(fallback));
      return fallback;
    }
    return value;
  }

  /** A boolean, or `fallback` when absent. */
  boolean(key: string, fallback: boolean): boolean {
    const value = fromCommandLine(this.take(key), (text) => ({ true: true, false: false })[text] ?? text);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') {
      this.invalid(key, value, 'true or false', String(fallback));
      return fallback;
    }
    return value;
  }

  /** One of `choices`, or `fallback` when absent. */
  choice<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    const value = this.take(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      this.invalid(key, value, `one of ${choices.join(', ')}`, fallback);
      return fallback;
    }
    return value as T;
  }

  /**
   * A list of strings each matching `rule`, or an empty list when absent. Messages show a list
   * that works as written: the given items with numbers quoted when that makes them all valid,
   * otherwise the rule's example.
   */
  stringList(key: string, rule: StringRule): string[] {
    const value = fromCommandLine(this.take(key), (text) => (text.startsWith('[') ? parseJson(text) : text));
    if (value === undefined) return [];
    const path = this.childPath(key);
    if (!Array.isArray(value)) {
      const example = typeof value === 'string' && rule.pattern.test(value) ? value : rule.example;
      this.problems.add(
        path,
        `must be a list, each item ${rule.description}, got ${show(value)}; ${listFixHint(path, [example])}`,
      );
      return [];
    }
    const quoted = value.map((item) => (isUnquoted(item, rule) ? String(item) : item));
    const repaired = quoted.every((item) => typeof item === 'string' && rule.pattern.test(item));
    const example = repaired ? (quoted as string[]) : [rule.example];
    return value.filter((item, index) => {
      const ok = typeof item === 'string' && rule.pattern.test(item);
      if (!ok) {
        const what = isUnquoted(item, rule) ? `${item} (a JSON number: quote it)` : show(item);
        this.problems.add(
          `${path}[${index}]`,
          `must be ${rule.description}, got ${what}; ${listFixHint(path, example)}`,
        );
      }
      return ok;
    }) as string[];
  }

  /** A nested object. */
  object(key: string): ObjectReader {
    return new ObjectReader(this.childPath(key), this.take(key), this.problems, this.replaced);
  }

  /** A nested object with an `enabled` setting, which may also be written as just `true` or `false`. */
  switchableObject(key: string): ObjectReader {
    const value = fromCommandLine(this.take(key), (text) => ({ true: true, false: false })[text] ?? text);
    if (value !== undefined && typeof value !== 'boolean' && !isPlainObject(value)) {
      this.invalid(key, value, 'true, false or an object', 'false');
      return new ObjectReader(this.childPath(key), undefined, this.problems, true);
    }
    return new ObjectReader(
      this.childPath(key),
      typeof value === 'boolean' ? { enabled: value } : value,
      this.problems,
      this.replaced,
    );
  }

  /** Whether `key` is present (whatever its value). */
  has(key: string): boolean {
    return key in this.raw;
  }

  /** The keys present in this object, for maps with user-chosen keys. */
  keys(): string[] {
    return Object.keys(this.raw);
  }

  /** Records a problem about `key` that a caller found itself (e.g. a cross-field rule). */
  problem(key: string, message: string): void {
    this.problems.add(this.childPath(key), message);
  }

  /** Reports every key present but never read: unknown settings fail instead of being ignored. */
  done(): void {
    for (const key of Object.keys(this.raw)) {
      if (!this.seen.has(key)) {
        this.problems.add(
          this.childPath(key),
          `is not a known setting (known here: ${[...this.seen].sort().join(', ') || 'none'}); remove it or fix its spelling`,
        );
      }
    }
  }

  private take(key: string): unknown {
    this.seen.add(key);
    return this.raw[key];
  }

  /** The dotted path of `key` in this object, as messages name it. */
  childPath(key: string): string {
    return `${this.path}.${key}`;
  }

  private invalid(key: string, value: unknown, description: string, example: string): void {
    const path = this.childPath(key);
    this.problems.add(
      path,
      `must be ${description}, got ${show(value)}; ${configFixHint(path)} (for example ${example})`,
    );
  }

  private missing(key: string, description: string, example: string, placeholder: string): string {
    const path = this.childPath(key);
    if (!this.replaced) {
      this.problems.add(path, `is required: ${description}; ${configFixHint(path)} (for example ${example})`);
    }
    return placeholder;
  }
}

/** True for `{...}` objects (not arrays, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `-c key=value` always gives strings: convert those to the type a reader expects. */
function fromCommandLine(value: unknown, convert: (text: string) => unknown): unknown {
  return typeof value === 'string' ? convert(value) : value;
}

/** Parses JSON, or returns the text unchanged so the caller reports it as invalid. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** True for a JSON number that would be a valid value of `rule` written as a string (an account id without quotes). */
function isUnquoted(value: unknown, rule: StringRule): value is number {
  return typeof value === 'number' && rule.pattern.test(String(value));
}

/** A value as messages quote it: strings in single quotes, anything else as JSON. */
export function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}
