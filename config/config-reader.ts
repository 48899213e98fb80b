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
  /** An example of a valid value, shown in the message. */
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
   * @param path dotted path of this object, used in messages
   * @param value the raw value found at that path
   * @param problems where problems are recorded
   */
  constructor(
    public readonly path: string,
    value: unknown,
    private readonly problems: ProblemList,
  ) {
    if (value === undefined) {
      this.raw = {};
    } else if (isPlainObject(value)) {
      this.raw = value;
    } else {
      problems.add(path, `must be an object, got ${show(value)}; ${configFixHint(path)}`);
      this.raw = {};
    }
  }

  /** A required string matching `rule`. */
  string(key: string, rule: StringRule): string {
    return this.optionalString(key, rule) ?? this.missing(key, rule.description, rule.example, '');
  }

  /** An optional string matching `rule`; `undefined` when absent. */
  optionalString(key: string, rule: StringRule): string | undefined {
    const value = this.take(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !rule.pattern.test(value)) {
      this.invalid(key, value, rule.description, rule.example);
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

  /** A list of strings each matching `rule`, or an empty list when absent. */
  stringList(key: string, rule: StringRule): string[] {
    const value = fromCommandLine(this.take(key), (text) => (text.startsWith('[') ? parseJson(text) : text));
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.invalid(key, value, `a list of ${rule.description}s`, `["${rule.example}"]`);
      return [];
    }
    return value.filter((item, index) => {
      const ok = typeof item === 'string' && rule.pattern.test(item);
      if (!ok) this.invalid(`${key}[${index}]`, item, rule.description, rule.example);
      return ok;
    }) as string[];
  }

  /** A nested object. */
  object(key: string): ObjectReader {
    return new ObjectReader(this.childPath(key), this.take(key), this.problems);
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
    this.problems.add(path, `is required: ${description}; ${configFixHint(path)} (for example ${example})`);
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

/** A value as messages quote it: strings in single quotes, anything else as JSON. */
export function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}
