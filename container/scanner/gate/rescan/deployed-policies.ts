import { DEPLOYED_POLICIES, MAX_RECORD_BYTES } from '../deployed-policy';
import { RescanAws } from './aws';

/*
 * The rescan's reads of the deployed-policy records the scanner uploads (docs/rescans.md): one
 * listing of `deployed-policies/` per rescan, then one GetObject per record of an image rescanned.
 * Every S3 read of the records is here.
 */

/** A record's key and size, as listed. */
export interface RecordEntry {
  readonly key: string;
  readonly size: number;
}

/** The records by digest (`sha256:<hex>`), from their keys (`deployed-policies/<hex>/<hash>.json`). */
export type RecordIndex = ReadonlyMap<string, RecordEntry[]>;

/** A record as read: its bytes, or why they were not read. */
export interface FetchedRecord {
  readonly key: string;
  readonly bytes?: Buffer;
  readonly problem?: string;
}

/** The most records read for one digest; more is reported, never silently left out. */
export const MAX_RECORDS_PER_DIGEST = 32;

const KEY = new RegExp(`^${DEPLOYED_POLICIES}/([0-9a-f]{64})/[^/]+$`);

/**
 * Lists every record in the bucket (every page of the listing), by digest. A key of another shape
 * is filed under the digest its path names when it names one, so that it is read and reported as
 * malformed; otherwise it belongs to no image and is left alone.
 */
export async function listRecords(aws: RescanAws, bucket: string): Promise<RecordIndex> {
  const index = new Map<string, RecordEntry[]>();
  for (const object of await aws.listObjects(bucket, `${DEPLOYED_POLICIES}/`)) {
    const match = KEY.exec(object.key);
    if (!match) continue;
    const digest = `sha256:${match[1]}`;
    index.set(digest, [...(index.get(digest) ?? []), { key: match[0], size: object.size }]);
  }
  return index;
}

/**
 * Reads the records of one digest (GetObject each), at most {@link MAX_RECORDS_PER_DIGEST} and none
 * larger than MAX_RECORD_BYTES: those are named with the problem, not read. An AWS error throws.
 */
export async function readRecords(aws: RescanAws, bucket: string, entries: RecordEntry[]): Promise<FetchedRecord[]> {
  const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const fetched: FetchedRecord[] = [];
  for (const entry of sorted.slice(0, MAX_RECORDS_PER_DIGEST)) {
    if (entry.size > MAX_RECORD_BYTES) {
      fetched.push({ key: entry.key, problem: `${entry.size} bytes, larger than ${MAX_RECORD_BYTES}` });
      continue;
    }
    fetched.push({ key: entry.key, bytes: await aws.getObject(bucket, entry.key) });
  }
  for (const entry of sorted.slice(MAX_RECORDS_PER_DIGEST)) {
    fetched.push({ key: entry.key, problem: `not read: more than ${MAX_RECORDS_PER_DIGEST} records for one digest` });
  }
  return fetched;
}
