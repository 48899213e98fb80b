import { ImageResult, KeptFinding, findingKey } from './scan';

/** What changed for one image since the previous rescan. */
export interface ImageChange {
  readonly image: string;
  readonly digest?: string;
  readonly where: string[];
  /** It fails the policy now and did not before (or was not running). */
  readonly newlyFailing: boolean;
  /** It passed before and passes now, or stopped running. */
  readonly nowPassing: boolean;
  readonly stoppedRunning: boolean;
  /** It could not be rescanned, and could be before; with the reason. */
  readonly notScanned?: string;
  /** The policies it fails (docs/rescans.md: its deployed-policy records, or the default). */
  readonly failedPolicies: string[];
  readonly counted: string[];
  readonly appeared: KeptFinding[];
  readonly gone: KeptFinding[];
}

const minus = (a: KeptFinding[], b: KeptFinding[]): KeptFinding[] => {
  const keys = new Set(b.map(findingKey));
  return a.filter((f) => !keys.has(findingKey(f)));
};

/**
 * Carries the previous findings of an image that could not be rescanned: nothing is known about it,
 * so nothing appeared or went away (and nothing is archived), and it never reads as clean.
 */
export function carryForward(current: ImageResult[], previous: ImageResult[]): ImageResult[] {
  const before = new Map(previous.map((r) => [r.image, r]));
  return current.map((r) =>
    r.status === 'not-scanned' && before.has(r.image)
      ? { ...r, counted: before.get(r.image)!.counted, findings: before.get(r.image)!.findings }
      : r,
  );
}

/** The changes since the previous rescan (all of them on the first), only images with one. */
export function compare(previous: ImageResult[], current: ImageResult[]): ImageChange[] {
  const before = new Map(previous.map((r) => [r.image, r]));
  const now = new Set(current.map((r) => r.image));
  const changes: ImageChange[] = current.map((r) => {
    const old = before.get(r.image);
    const scanned = r.status !== 'not-scanned';
    return {
      image: r.image,
      digest: r.digest ?? old?.digest,
      where: r.where,
      newlyFailing: r.status === 'failing' && old?.status !== 'failing',
      nowPassing: r.status === 'passed' && old?.status === 'failing',
      stoppedRunning: false,
      notScanned: !scanned && old?.status !== 'not-scanned' ? r.reason : undefined,
      failedPolicies: r.failedPolicies ?? [],
      counted: r.counted,
      appeared: scanned ? minus(r.findings, old?.findings ?? []) : [],
      gone: scanned && old ? minus(old.findings, r.findings) : [],
    };
  });
  for (const old of previous.filter((r) => !now.has(r.image) && r.findings.length > 0)) {
    changes.push({
      image: old.image,
      digest: old.digest,
      where: old.where,
      newlyFailing: false,
      nowPassing: false,
      stoppedRunning: true,
      failedPolicies: [],
      counted: [],
      appeared: [],
      gone: old.findings,
    });
  }
  return changes.filter(
    (c) => c.newlyFailing || c.nowPassing || c.notScanned !== undefined || c.appeared.length > 0 || c.gone.length > 0,
  );
}

const line = (f: KeptFinding) =>
  `    ${f.id} [${f.severity}] ${f.package} ${f.version}${f.fixedBy ? ` (fixed by ${f.fixedBy})` : ' (no fix)'}`;

/** The notification: a subject (at most 100 characters) and the message. */
export function notification(
  environment: string,
  at: string,
  changes: ImageChange[],
): { subject: string; message: string } {
  const failing = changes.filter((c) => c.newlyFailing).length;
  const notScanned = changes.filter((c) => c.notScanned !== undefined).length;
  const appeared = changes.reduce((n, c) => n + c.appeared.length, 0);
  const gone = changes.reduce((n, c) => n + c.gone.length, 0);
  const parts = [
    failing > 0 ? `${failing} newly failing` : '',
    notScanned > 0 ? `${notScanned} not scanned` : '',
    appeared > 0 ? `${appeared} new findings` : '',
    gone > 0 ? `${gone} gone` : '',
  ].filter((p) => p !== '');
  const subject = `Clair rescan ${environment}: ${parts.join(', ') || 'changes'}`.slice(0, 100);
  const blocks = changes.map((c) => {
    const state = c.newlyFailing
      ? 'NEWLY FAILS THE POLICY'
      : c.notScanned !== undefined
        ? `COULD NOT BE RESCANNED: ${c.notScanned}`
        : c.stoppedRunning
          ? 'no longer running'
          : c.nowPassing
            ? 'passes the policy again'
            : 'findings changed';
    return [
      `${c.image}: ${state}`,
      `  digest:  ${c.digest ?? 'unknown'}`,
      `  runs in: ${c.where.join(', ') || 'nowhere'}`,
      ...(c.newlyFailing ? [`  counted: ${c.counted.join(', ') || 'none (not covered)'}`] : []),
      ...(c.newlyFailing ? c.failedPolicies.map((p) => `  fails:   ${p}`) : []),
      ...(c.appeared.length > 0 ? [`  appeared (${c.appeared.length}):`, ...c.appeared.map(line)] : []),
      ...(c.gone.length > 0 ? [`  gone (${c.gone.length}):`, ...c.gone.map(line)] : []),
    ].join('\n');
  });
  const message = [
    `Clair rescan of ${environment} at ${at}: what changed since the previous rescan.`,
    '',
    ...blocks,
  ].join('\n');
  return { subject, message };
}
