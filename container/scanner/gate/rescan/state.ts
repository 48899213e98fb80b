import type { RescanAws } from './aws';
import { AwsError } from './aws-error';
import { ImageResult, KeptFinding } from './scan';

/** A finding imported into Security Hub and still active there. */
export interface ImportedFinding {
  /** The finding's Id in Security Hub. */
  readonly id: string;
  readonly image: string;
  readonly digest?: string;
  readonly where: string[];
  readonly finding: KeptFinding;
  /** When it was first imported (its CreatedAt). */
  readonly createdAt: string;
  /** When it was last imported (its UpdatedAt); older states lack it (then: createdAt). */
  readonly updatedAt?: string;
}

/** What a rescan leaves for the next one. */
export interface RescanState {
  readonly version: 1;
  readonly at: string;
  readonly images: ImageResult[];
  /** The findings active in Security Hub (none when it is not enabled). */
  readonly imported: ImportedFinding[];
}

/** Where the state lives: an object in the environment's bucket, encrypted with its KMS key. */
export interface StateLocation {
  readonly bucket: string;
  readonly key: string;
  readonly kmsKey: string;
}

/**
 * The previous rescan's state, or null before the first rescan (no object). Anything else that
 * keeps it from being read fails the rescan: without it, nothing could be said about what changed.
 */
export async function loadState(aws: RescanAws, where: StateLocation): Promise<RescanState | null> {
  let text: string;
  try {
    text = (await aws.getObject(where.bucket, where.key)).toString('utf8');
  } catch (error) {
    if (error instanceof AwsError && error.awsCode === 'NoSuchKey') return null;
    throw error;
  }
  let state: any;
  try {
    state = JSON.parse(text);
  } catch {
    state = undefined;
  }
  if (state?.version !== 1 || !Array.isArray(state.images) || !Array.isArray(state.imported)) {
    throw new AwsError(
      undefined,
      `the previous rescan's state s3://${where.bucket}/${where.key} is not a rescan state`,
    );
  }
  return state as RescanState;
}

/** Writes this rescan's state (SSE-KMS with the environment's key). */
export async function saveState(aws: RescanAws, where: StateLocation, state: RescanState): Promise<void> {
  await aws.putObject(where.bucket, where.key, JSON.stringify(state), where.kmsKey);
}
