import * as crypto from 'crypto';
import { SEVERITIES, Severity } from './severity';

/*
 * Deployed-policy records (docs/rescans.md, "Which policy judges an image"): when scan-image passes
 * an image, it writes the policy it applied (every setting, defaults included, and the allowlist's
 * text) as one small JSON record per digest into REPORT_DIR/deployed-policies/; the scanner's
 * buildspec uploads them to the rescan's bucket under the same key. The rescan reads them back as
 * untrusted input and judges each running image by every policy recorded for its digest.
 */

/** The directory (in REPORT_DIR) and the key prefix (in the rescan's bucket) of the records. */
export const DEPLOYED_POLICIES = 'deployed-policies';

/** The largest allowlist a record holds: the gate's own cap (MAX_ALLOWLIST_BYTES). */
const MAX_RECORDED_ALLOWLIST_BYTES = 1024 * 1024;

/**
 * The largest record read: JSON doubles at most each character of a valid allowlist (tab, newline,
 * quote, backslash; control characters are refused by its YAML), plus the other fields.
 */
export const MAX_RECORD_BYTES = 2 * MAX_RECORDED_ALLOWLIST_BYTES + 64 * 1024;

/** The policy an image passed with: what `decide()` needs, coverage, and the allowlist's text. */
export interface RecordedPolicy {
  readonly severity: Severity;
  readonly maxVulnerabilities: number;
  readonly countUnknown: boolean;
  readonly ignoreUnfixed: boolean;
  readonly requireCoverage: boolean;
  /** The allowlist's YAML as the gate read it, or null for none. */
  readonly allowlist: string | null;
}

/** A record: the policy, the image and digest it was applied to, and when. */
export interface PolicyRecord {
  readonly version: 1;
  /** IMAGE_URI as scanned. */
  readonly image: string;
  /** The verified manifest digest the record is filed under (the image's, an index's, or a platform's). */
  readonly digest: string;
  /** ISO 8601, UTC. */
  readonly recordedAt: string;
  readonly policy: RecordedPolicy;
}

const POLICY_KEYS = ['severity', 'maxVulnerabilities', 'countUnknown', 'ignoreUnfixed', 'requireCoverage', 'allowlist'];
const RECORD_KEYS = ['version', 'image', 'digest', 'recordedAt', 'policy'];
const TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/;

/** The policy with its keys in one fixed order: the same policy is always the same text. */
function canonical(policy: RecordedPolicy): string {
  return JSON.stringify(POLICY_KEYS.map((key) => [key, policy[key as keyof RecordedPolicy]]));
}

/**
 * A record's key: `deployed-policies/<digest hex>/<SHA-256 of the canonical policy>.json`. One object
 * per (digest, policy): writing it again is idempotent, and two scans never race on one object.
 */
export function recordKey(digest: string, policy: RecordedPolicy): string {
  const hash = crypto.createHash('sha256').update(canonical(policy)).digest('hex');
  return `${DEPLOYED_POLICIES}/${digest.replace(/^sha256:/, '')}/${hash}.json`;
}

/**
 * The records of a passed image: one per verified digest (the image's; for an index, the index's and
 * each scanned platform's, since a runtime may report either), each at its key.
 */
export function policyRecords(
  image: string,
  digests: string[],
  policy: Omit<RecordedPolicy, 'allowlist'>,
  allowlist: string | null,
  recordedAt: string,
): Array<{ key: string; text: string }> {
  const applied: RecordedPolicy = {
    severity: policy.severity,
    maxVulnerabilities: policy.maxVulnerabilities,
    countUnknown: policy.countUnknown,
    ignoreUnfixed: policy.ignoreUnfixed,
    requireCoverage: policy.requireCoverage,
    allowlist,
  };
  return [...new Set(digests)].map((digest) => {
    const record: PolicyRecord = { version: 1, image, digest, recordedAt, policy: applied };
    return { key: recordKey(digest, applied), text: `${JSON.stringify(record, null, 2)}\n` };
  });
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const exactKeys = (value: Record<string, unknown>, keys: string[]) =>
  Object.keys(value).length === keys.length && keys.every((key) => key in value);

/**
 * Reads a record found at `key` for `digest`: untrusted input. Returns the record, or throws an
 * Error saying what is wrong: not JSON, another shape, a value out of range, or a key that does
 * not match its content (another digest, another policy's hash).
 */
export function parseRecord(bytes: Buffer, key: string, digest: string): PolicyRecord {
  if (bytes.length > MAX_RECORD_BYTES) throw new Error(`larger than ${MAX_RECORD_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new Error('not JSON');
  }
  if (!isMapping(value) || !exactKeys(value, RECORD_KEYS) || value.version !== 1) {
    throw new Error(`not a version 1 record with exactly the keys ${RECORD_KEYS.join(', ')}`);
  }
  const { image, policy } = value;
  if (typeof image !== 'string' || image.length === 0 || image.length > 2048) throw new Error('image is not a string');
  if (value.digest !== digest) throw new Error(`its digest is not ${digest}`);
  if (typeof value.recordedAt !== 'string' || !TIME.test(value.recordedAt)) {
    throw new Error('recordedAt is not a UTC time YYYY-MM-DDThh:mm:ss.sssZ');
  }
  if (!isMapping(policy) || !exactKeys(policy, POLICY_KEYS)) {
    throw new Error(`policy does not have exactly the keys ${POLICY_KEYS.join(', ')}`);
  }
  if (!SEVERITIES.includes(policy.severity as Severity)) throw new Error('policy.severity is not a severity');
  const max = policy.maxVulnerabilities;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 0 || max > 999_999_999) {
    throw new Error('policy.maxVulnerabilities is not an integer from 0 to 999999999');
  }
  for (const flag of ['countUnknown', 'ignoreUnfixed', 'requireCoverage']) {
    if (typeof policy[flag] !== 'boolean') throw new Error(`policy.${flag} is not true or false`);
  }
  const allowlist = policy.allowlist;
  if (
    allowlist !== null &&
    (typeof allowlist !== 'string' || Buffer.byteLength(allowlist) > MAX_RECORDED_ALLOWLIST_BYTES)
  ) {
    throw new Error('policy.allowlist is neither null nor an allowlist text');
  }
  const record = value as unknown as PolicyRecord;
  if (recordKey(digest, record.policy) !== key) throw new Error("its key is not its policy's hash");
  return record;
}
