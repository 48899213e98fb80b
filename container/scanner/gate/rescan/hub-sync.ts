import { RescanAws } from './aws';
import { ImageResult } from './scan';
import { FailedFinding, HubTarget, Retrying, asff, findingId, importFindings } from './security-hub';
import { ImportedFinding } from './state';

/** What a Security Hub update did. */
export interface HubSync {
  /** The findings now active in Security Hub, for the next rescan. */
  readonly imported: ImportedFinding[];
  /** Findings imported for the first time, and archived, by this update. */
  readonly created: number;
  readonly archived: number;
  readonly failed: FailedFinding[];
}

/**
 * Security Hub deletes findings that are not updated for 90 days; an unchanged finding is sent again
 * once it is this old, so that it stays while the image runs.
 */
export const REFRESH_AFTER_DAYS = 30;

/**
 * Brings Security Hub in line with this rescan: every finding not imported yet is imported, every
 * imported finding that is gone (fixed, allowed, image no longer running) is archived; unchanged
 * ones are not sent again until {@link REFRESH_AFTER_DAYS} old. Refusals are retried as `retrying`
 * says; a finding that still fails stays pending (a new one is tried again next time, an archive
 * too) and is returned.
 */
export async function syncSecurityHub(
  aws: RescanAws,
  target: HubTarget,
  results: ImageResult[],
  previous: ImportedFinding[],
  at: string,
  retrying: Retrying,
): Promise<HubSync> {
  const wanted = new Map<string, ImportedFinding>();
  for (const r of results) {
    for (const finding of r.findings) {
      const id = findingId(target, r.image, finding);
      wanted.set(id, { id, image: r.image, digest: r.digest, where: r.where, finding, createdAt: at, updatedAt: at });
    }
  }
  const before = new Map(previous.map((f) => [f.id, f]));
  const created = [...wanted.values()].filter((f) => !before.has(f.id));
  const gone = previous.filter((f) => !wanted.has(f.id));
  const refreshBefore = new Date(Date.parse(at) - REFRESH_AFTER_DAYS * 86400 * 1000).toISOString();
  const stale = previous
    .filter((f) => wanted.has(f.id) && (f.updatedAt ?? f.createdAt) < refreshBefore)
    .map((f) => ({ ...wanted.get(f.id)!, createdAt: f.createdAt }));
  const failed = await importFindings(
    aws,
    [...[...created, ...stale].map((f) => asff(target, f, at, false)), ...gone.map((f) => asff(target, f, at, true))],
    retrying,
  );
  const failedIds = new Set(failed.map((f) => f.Id));
  const refreshed = new Map(stale.filter((f) => !failedIds.has(f.id)).map((f) => [f.id, f]));
  const imported = [
    ...previous.filter((f) => wanted.has(f.id) || failedIds.has(f.id)).map((f) => refreshed.get(f.id) ?? f),
    ...created.filter((f) => !failedIds.has(f.id)),
  ];
  return {
    imported,
    created: created.filter((f) => !failedIds.has(f.id)).length,
    archived: gone.filter((f) => !failedIds.has(f.id)).length,
    failed,
  };
}
