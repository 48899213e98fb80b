import * as YAML from 'yaml';
import { EXIT, fail } from './errors';
import { formatBytes } from './http';
import { PATH_RE } from './image-ref';
import { isDate } from './settings';
import { safe, truncate } from './text';

/**
 * The allowlist: `allow:` entries allow a finding; `unscannable:` entries waive coverage for one
 * image that Clair cannot read; they never allow a finding. It is judged as a whole: one malformed
 * entry rejects the file (exit 3), so that a typo never silently allows, or silently stops
 * allowing, anything. Duplicate keys are malformed too: otherwise the last one wins, and a reviewer
 * reads another allowlist than the gate applies (reference/hostile-inputs.md, D3).
 */

/** An entry of `allow:`. */
export interface AllowEntry {
  readonly id: string;
  readonly image: string | null;
  readonly reason: string;
  readonly expires: string;
  readonly expired: boolean;
}

/** An entry of `unscannable:`. */
export interface Waiver {
  readonly image: string;
  readonly digest: string | null;
  readonly reason: string;
  readonly expires: string;
  readonly expired: boolean;
}

/** An allowlist, validated. */
export interface Allowlist {
  readonly allow: AllowEntry[];
  readonly unscannable: Waiver[];
}

/** The empty allowlist (none given). */
export const NO_ALLOWLIST: Allowlist = { allow: [], unscannable: [] };

/** The largest allowlist read: its reasons are printed, and a 50 MB reason was printed whole (D9). */
export const MAX_ALLOWLIST_BYTES = 1024 * 1024;

const REPOSITORY = new RegExp(`^${PATH_RE}$`);
const isRepositoryPath = (value: unknown): value is string => typeof value === 'string' && REPOSITORY.test(value);
/** Every image of an account's CDK asset repository shares its name: a waiver without a digest would waive them all. */
const CDK_ASSET_REPOSITORY = /^cdk-[a-z0-9]+-container-assets-[0-9]{12}-[a-z0-9-]+$/;
const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function unknownKeys(entry: Record<string, unknown>, allowed: string[]): string[] {
  return Object.keys(entry)
    .sort()
    .filter((key) => !allowed.includes(key))
    .map((key) => `has unknown key ${JSON.stringify(key)}`);
}

function reasonAndExpiry(entry: Record<string, unknown>): string[] {
  return [
    ...(typeof entry.reason === 'string' && /\S/.test(entry.reason) ? [] : ['needs a non-empty reason']),
    ...(isDate(entry.expires) ? [] : ['needs expires as a valid date YYYY-MM-DD']),
  ];
}

function allowProblems(entry: unknown): string[] {
  if (!isMapping(entry)) return ['is not a mapping'];
  return [
    ...unknownKeys(entry, ['id', 'image', 'reason', 'expires']),
    ...(typeof entry.id === 'string' && /^\S+$/.test(entry.id)
      ? []
      : ['needs an id (a vulnerability name without spaces)']),
    ...(!('image' in entry) || isRepositoryPath(entry.image)
      ? []
      : ['has an image that is not a repository path (no registry, no tag)']),
    ...reasonAndExpiry(entry),
  ];
}

function waiverProblems(entry: unknown): string[] {
  if (!isMapping(entry)) return ['is not a mapping'];
  const digestProblems = !('digest' in entry)
    ? isRepositoryPath(entry.image) && CDK_ASSET_REPOSITORY.test(entry.image)
      ? [`needs a digest: ${entry.image} is a CDK asset repository, where one entry would waive every image`]
      : []
    : typeof entry.digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(entry.digest)
      ? []
      : ['has a digest that is not sha256:<64 hex>'];
  return [
    ...unknownKeys(entry, ['image', 'digest', 'reason', 'expires']),
    ...(isRepositoryPath(entry.image) ? [] : ['needs an image: a repository path (no registry, no tag)']),
    ...digestProblems,
    ...reasonAndExpiry(entry),
  ];
}

/** The YAML documents of a text; throws a one-line reason when it is not valid YAML. */
function documents(text: string): unknown[] {
  const docs = YAML.parseAllDocuments(text, { uniqueKeys: true, strict: true, prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const [problem] = [...doc.errors, ...doc.warnings];
    if (problem) {
      const at = problem.linePos ? ` at line ${problem.linePos[0].line}, column ${problem.linePos[0].col}` : '';
      const what =
        problem.code === 'DUPLICATE_KEY'
          ? `a duplicate key${at}: each key may appear once in a mapping`
          : `not valid YAML (${problem.message.split('\n')[0]})`;
      throw new Error(what);
    }
  }
  return list.map((doc) => {
    try {
      return doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      throw new Error(`not valid YAML (${(error as Error).message.split('\n')[0]})`, { cause: error });
    }
  });
}

/**
 * Reads an allowlist's text (from `source`, for messages) as of `today` (YYYY-MM-DD); fails with
 * exit 3 naming every problem.
 */
export function parseAllowlist(text: string, source: string, today: string): Allowlist {
  const bad = (problem: string): never =>
    fail(EXIT.badAllowlist, `bad allowlist ${source}: ${safe(truncate(problem, 2000))}`);
  let docs: unknown[] = [];
  try {
    docs = documents(text);
  } catch (error) {
    bad((error as Error).message);
  }
  const lists = ['allow', 'unscannable'];
  if (docs.length !== 1) bad('must be exactly one YAML document');
  const top = docs[0];
  if (
    !isMapping(top) ||
    Object.keys(top).length === 0 ||
    Object.keys(top).some((key) => !lists.includes(key)) ||
    Object.values(top).some((value) => !Array.isArray(value))
  ) {
    bad('must be a mapping with the keys "allow" and/or "unscannable", each holding a list');
  }
  const doc = top as { allow?: unknown[]; unscannable?: unknown[] };
  const problems = [
    ...(doc.allow ?? []).flatMap((entry, i) => allowProblems(entry).map((p) => `entry ${i + 1} ${p}`)),
    ...(doc.unscannable ?? []).flatMap((entry, i) =>
      waiverProblems(entry).map((p) => `unscannable entry ${i + 1} ${p}`),
    ),
  ];
  if (problems.length > 0) bad(problems.join('; '));
  return {
    allow: (doc.allow ?? []).map((e: any) => ({
      id: e.id,
      image: e.image ?? null,
      reason: e.reason,
      expires: e.expires,
      expired: e.expires < today,
    })),
    unscannable: (doc.unscannable ?? []).map((e: any) => ({
      image: e.image,
      digest: e.digest ?? null,
      reason: e.reason,
      expires: e.expires,
      expired: e.expires < today,
    })),
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The allowlist's text and its name in messages, from ALLOWLIST_B64 or ALLOWLIST_FILE. */
export function allowlistText(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (file: string) => Buffer,
): { text: string; source: string } | undefined {
  const decode = (bytes: Buffer, source: string): { text: string; source: string } => {
    if (bytes.length > MAX_ALLOWLIST_BYTES) {
      fail(
        EXIT.badAllowlist,
        `bad allowlist ${source}: larger than the gate's cap of ${formatBytes(MAX_ALLOWLIST_BYTES)}`,
      );
    }
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), source };
    } catch {
      return fail(EXIT.badAllowlist, `bad allowlist ${source}: not valid YAML (not UTF-8 text)`);
    }
  };
  if (env.ALLOWLIST_FILE && env.ALLOWLIST_B64) fail(EXIT.badInput, 'set ALLOWLIST_FILE or ALLOWLIST_B64, not both');
  if (env.ALLOWLIST_B64) {
    const b64 = env.ALLOWLIST_B64.replace(/\s+/g, '');
    if (!BASE64.test(b64)) fail(EXIT.badAllowlist, 'bad allowlist: ALLOWLIST_B64 is not valid base64');
    return decode(Buffer.from(b64, 'base64'), 'from ALLOWLIST_B64');
  }
  if (env.ALLOWLIST_FILE) {
    let bytes: Buffer;
    try {
      bytes = readFile(env.ALLOWLIST_FILE);
    } catch {
      return fail(EXIT.badAllowlist, `bad allowlist: cannot read '${safe(env.ALLOWLIST_FILE)}'`);
    }
    return decode(bytes, safe(env.ALLOWLIST_FILE));
  }
  return undefined;
}

/**
 * klar's whitelist format (`general:` names; `images:` repository → names) for the unexpired
 * entries, with JSON-quoted scalars, which YAML reads as they are. For reference and for running
 * klar by hand: the gate never gives klar a whitelist, which would drop allowed findings without a trace.
 */
export function klarWhitelist(allowlist: Allowlist): string {
  const live = allowlist.allow.filter((e) => !e.expired);
  const general = [...new Set(live.filter((e) => e.image === null).map((e) => e.id))].sort();
  const images = [...new Set(live.filter((e) => e.image !== null).map((e) => e.image as string))].sort();
  const q = (s: string) => JSON.stringify(s);
  return [
    `general:${general.length === 0 ? ' []' : ''}`,
    ...general.map((id) => `  - ${q(id)}`),
    `images:${images.length === 0 ? ' {}' : ''}`,
    ...images.flatMap((image) => [
      `  ${q(image)}:`,
      ...[...new Set(live.filter((e) => e.image === image).map((e) => e.id))].sort().map((id) => `    - ${q(id)}`),
    ]),
  ]
    .join('\n')
    .concat('\n');
}
