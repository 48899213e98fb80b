import { AllowEntry, Allowlist } from './allowlist';
import { Coverage } from './coverage';
import { Finding, onePerPair } from './findings';
import { JunitCase, junit } from './junit';
import { Severity } from './severity';
import { safe } from './text';

/** What the gate decides with, besides the findings. */
export interface Policy {
  readonly severity: Severity;
  readonly minRank: number;
  readonly countUnknown: boolean;
  readonly ignoreUnfixed: boolean;
  readonly maxVulnerabilities: number;
}

/** The scan to decide. */
export interface ScanResult {
  readonly image: string;
  /** The repository path (allowlist `image:`). */
  readonly repository: string;
  /** The verified manifest digest, when the manifest was read (a platform's, for an index). */
  readonly digest?: string;
  /** For one platform of an index or list: its platform and the index's digest. */
  readonly platform?: { readonly name: string; readonly indexDigest: string };
  /** True when the image was not sent to Clair: its format is one Clair v2 cannot read (the gaps say why). */
  readonly unread?: boolean;
  readonly clair: string;
  readonly layerCount: number;
  /** Every finding reported, by klar and by the backend. */
  readonly findings: Finding[];
  /** Null when coverage is not checked (REQUIRE_COVERAGE=false). */
  readonly coverage: Coverage | null;
  readonly allowlist: Allowlist;
  /** Where the allowlist came from, or null for none. */
  readonly allowlistSource: string | null;
}

/** The decision and its reports. */
export interface Verdict {
  readonly counted: number;
  /** `covered`, `waived`, `not-checked`, or `not-covered` with its reasons. */
  readonly coverage: { readonly state: 'covered' | 'waived' | 'not-checked' | 'not-covered'; readonly gaps: string };
  readonly summary: string;
  readonly junit: string;
  /** The JUnit cases of junit, for a report of several platforms. */
  readonly cases: JunitCase[];
  /** The findings behind the numbers, one per (package, vulnerability), most severe first. */
  readonly findings: {
    /** Every finding reported. */
    readonly reported: Finding[];
    /** Those that count against the policy. */
    readonly counted: Finding[];
    /** Those the allowlist allows. */
    readonly allowed: Finding[];
  };
}

/** What Clair v2 can see, printed with every verdict. */
export const NOTE =
  'Clair v2 reads operating-system packages only (dpkg, apk and rpm databases), never language packages (npm, pip, jars, Go modules)';

/** A finding on one line: name, severity, package, version and fix. */
function describe(f: Finding): string {
  const severity =
    f.reportedSeverity === undefined ? f.Severity : `${f.Severity} (reported as ${JSON.stringify(f.reportedSeverity)})`;
  return (
    `${f.Name} [${severity}] ${f.FeatureName ?? '?'} ${f.FeatureVersion ?? '?'}` +
    ((f.FixedBy ?? '') === '' ? ' (no fix)' : ` (fixed by ${f.FixedBy})`)
  );
}

const compare = (a: string | undefined, b: string | undefined): number =>
  a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : a < b ? -1 : 1;
const bySeverity = (a: Finding, b: Finding): number =>
  b.rank - a.rank || compare(a.Name, b.Name) || compare(a.FeatureName, b.FeatureName);

/** Decides a scan and renders summary.txt and junit.xml. */
export function decide(scan: ScanResult, policy: Policy): Verdict {
  const entries = scan.allowlist.allow;
  const allows = (e: AllowEntry, f: Finding) =>
    e.id === f.Name && (e.image === null || e.image === scan.repository) && !e.expired;
  const atOrAbove = (f: Finding) => f.rank >= policy.minRank || (f.Severity === 'Unknown' && policy.countUnknown);
  const all = onePerPair(scan.findings, atOrAbove);
  const above = all.filter(atOrAbove);
  const relevant = above.filter((f) => !(policy.ignoreUnfixed && (f.FixedBy ?? '') === ''));
  const counted = relevant.filter((f) => !entries.some((e) => allows(e, f))).sort(bySeverity);
  const allowed = relevant
    .flatMap((f) =>
      entries
        .filter((e) => allows(e, f))
        .slice(0, 1)
        .map((entry) => ({ ...f, entry })),
    )
    .sort(bySeverity);
  const expired = entries.filter((e) => e.expired);
  const expiredWaivers = scan.allowlist.unscannable.filter((w) => w.expired);

  const coverage = scan.coverage;
  let covered: Verdict['coverage'] & { text: string };
  if (coverage === null) covered = { state: 'not-checked', gaps: '', text: 'not checked (REQUIRE_COVERAGE=false)' };
  else if (coverage.gaps.length === 0) covered = { state: 'covered', gaps: '', text: 'covered' };
  else {
    const gaps = coverage.gaps.join('; ');
    const waiver = scan.allowlist.unscannable.find(
      (w) =>
        w.image === scan.repository &&
        (w.digest === null || w.digest === scan.digest || w.digest === scan.platform?.indexDigest) &&
        !w.expired,
    );
    covered = waiver
      ? { state: 'waived', gaps, text: `not covered (${gaps}), waived until ${waiver.expires}: ${waiver.reason}` }
      : { state: 'not-covered', gaps, text: `NOT COVERED: ${gaps}` };
  }

  const verdict =
    counted.length > policy.maxVulnerabilities
      ? `FAIL: ${counted.length} counted, more than the ${policy.maxVulnerabilities} tolerated`
      : covered.state === 'not-covered'
        ? `FAIL: ${counted.length} counted, but not covered: ${covered.gaps}`
        : `PASS: ${counted.length} counted, ${policy.maxVulnerabilities} tolerated`;
  const unscannable = scan.allowlist.unscannable;
  const lines = [
    'Scan gate summary',
    `  image:      ${scan.image}`,
    ...(scan.platform ? [`  platform:   ${scan.platform.name} (${scan.digest})`] : []),
    `  clair:      ${scan.clair}`,
    `  layers:     ${scan.layerCount}${scan.unread ? ' (not scanned: Clair v2 cannot read this format)' : ''}`,
    `  policy:     severity >= ${policy.severity}; Unknown counts: ${policy.countUnknown}; unfixed ignored: ${policy.ignoreUnfixed}; tolerated: ${policy.maxVulnerabilities}`,
    `  allowlist:  ${scan.allowlistSource ?? 'none'}` +
      (scan.allowlistSource === null
        ? ''
        : ` (${entries.length} entries, ${expired.length} expired` +
          (unscannable.length === 0 ? '' : `; ${unscannable.length} unscannable`) +
          ')'),
    ...(coverage === null || scan.unread
      ? []
      : [
          `  namespaces: ${
            coverage.os === null
              ? 'none (no operating system detected)'
              : [...new Set([coverage.os, ...coverage.namespaces])].sort().join(', ')
          }`,
          `  packages:   ${coverage.packages} found by Clair`,
        ]),
    `  coverage:   ${covered.text}`,
    `  note:       ${NOTE}`,
    `  findings:   ${all.length} reported, ${all.length - above.length} below ${policy.severity}, ${above.length - relevant.length} ignored as unfixed, ${allowed.length} allowed, ${counted.length} counted`,
    ...(counted.length > 0
      ? [`Counted vulnerabilities (${counted.length}):`, ...counted.map((f) => `  ${describe(f)}  ${f.Link ?? ''}`)]
      : []),
    ...(allowed.length > 0
      ? [
          `Allowed by the allowlist (${allowed.length}):`,
          ...allowed.map((f) => `  ${describe(f)} until ${f.entry.expires}: ${f.entry.reason}`),
        ]
      : []),
    ...(expired.length > 0
      ? [
          `Expired allowlist entries, no longer allowing anything (${expired.length}):`,
          ...expired.map((e) => `  ${e.id}${e.image ? ` (image ${e.image})` : ''} expired ${e.expires}: ${e.reason}`),
        ]
      : []),
    ...(expiredWaivers.length > 0
      ? [
          `Expired unscannable entries, no longer waiving anything (${expiredWaivers.length}):`,
          ...expiredWaivers.map(
            (w) => `  ${w.image}${w.digest ? `@${w.digest}` : ''} expired ${w.expires}: ${w.reason}`,
          ),
        ]
      : []),
    `Verdict: ${verdict}`,
  ];
  const caseName = (f: Finding) => `${f.Name} [${f.Severity}] in ${f.FeatureName ?? '?'} ${f.FeatureVersion ?? '?'}`;
  const countedCases: JunitCase[] = counted.map((f) => ({
    classname: f.FeatureName ?? 'unknown',
    name: caseName(f),
    failure: { type: f.Severity, message: describe(f), text: `${f.Description ?? ''}\n${f.Link ?? ''}` },
  }));
  const cases: JunitCase[] = [
    ...(countedCases.length > 0
      ? countedCases
      : [{ classname: 'scan-gate', name: `no counted vulnerabilities at or above ${policy.severity}` }]),
    ...allowed.map((f) => ({
      classname: f.FeatureName ?? 'unknown',
      name: caseName(f),
      skipped: `allowed until ${f.entry.expires}: ${f.entry.reason}`,
    })),
    {
      classname: 'scan-gate',
      name: `coverage: ${NOTE}`,
      ...(covered.state === 'covered'
        ? {}
        : covered.state === 'not-covered'
          ? {
              failure: {
                type: 'not covered',
                message: covered.text,
                text: 'Clair could not read this image, so no finding proves it clean; see docs/operations.md (exit 7)',
              },
            }
          : { skipped: covered.text }),
    },
  ];
  return {
    counted: counted.length,
    coverage: { state: covered.state, gaps: covered.gaps },
    summary: lines.map(safe).join('\n').concat('\n'),
    junit: junit(scan.image, cases),
    cases,
    findings: { reported: [...all].sort(bySeverity), counted, allowed },
  };
}
