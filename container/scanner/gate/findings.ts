import { Severity, normalizeSeverity, rankOf } from './severity';

/** One vulnerability of one package, as klar or Clair reports it, with the severity it counts with. */
export interface Finding {
  readonly Name: string;
  readonly NamespaceName?: string;
  readonly Description?: string;
  readonly Link?: string;
  readonly FixedBy?: string;
  readonly FeatureName?: string;
  readonly FeatureVersion?: string;
  readonly Severity: Severity;
  /** The severity as reported, when it is not exactly one of Clair's names. */
  readonly reportedSeverity?: string;
  readonly rank: number;
}

const text = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : typeof value === 'string' ? value : JSON.stringify(value);

/** A finding from a reported item and its severity as reported. */
export function findingOf(item: Record<string, unknown>, reported: unknown): Finding {
  const severity = normalizeSeverity(reported);
  return {
    Name: String(item.Name),
    NamespaceName: text(item.NamespaceName),
    Description: text(item.Description),
    Link: text(item.Link),
    FixedBy: text(item.FixedBy),
    FeatureName: text(item.FeatureName),
    FeatureVersion: text(item.FeatureVersion),
    Severity: severity,
    reportedSeverity: reported === severity ? undefined : String(reported ?? ''),
    rank: rankOf(severity),
  };
}

/** klar's JSON report, read: `{"LayerCount": n, "Vulnerabilities": {"<Severity>": [item, ...]}}`. */
export interface KlarReport {
  readonly layerCount: number;
  readonly findings: Finding[];
}

/**
 * Reads klar's report, or undefined unless it has that shape with at least one layer: an image
 * without layers proves nothing, because klar then never asked Clair about anything. An item's
 * severity is its own, else its group's; names klar or Clair do not define count as Unknown.
 */
export function readKlarReport(stdout: string): KlarReport | undefined {
  let report: any;
  try {
    report = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  const groups = report?.Vulnerabilities;
  if (
    typeof report !== 'object' ||
    report === null ||
    typeof report.LayerCount !== 'number' ||
    report.LayerCount < 1 ||
    typeof groups !== 'object' ||
    groups === null ||
    Array.isArray(groups) ||
    !Object.values(groups).every(
      (items) =>
        Array.isArray(items) &&
        items.every(
          (item) => typeof item === 'object' && item !== null && !Array.isArray(item) && typeof item.Name === 'string',
        ),
    )
  ) {
    return undefined;
  }
  const findings = Object.entries(groups as Record<string, Record<string, unknown>[]>).flatMap(([group, items]) =>
    items.map((item) =>
      findingOf(item, typeof item.Severity === 'string' && item.Severity !== '' ? item.Severity : group),
    ),
  );
  return { layerCount: report.LayerCount, findings };
}

/**
 * One finding per (package, vulnerability), as klar counts them; when a pair is reported more than
 * once (two severities, or by klar and by Clair), the one that weighs most counts: a counted one over
 * one that is not, then the highest severity (reference/hostile-inputs.md, D4: keeping the
 * alphabetically first let `Low` + `Unknown` pass).
 */
export function onePerPair(findings: Finding[], counts: (f: Finding) => boolean = () => true): Finding[] {
  const byPair = new Map<string, Finding>();
  const weight = (f: Finding) => (counts(f) ? 100 : 0) + f.rank;
  for (const finding of findings) {
    const key = JSON.stringify([finding.FeatureName ?? null, finding.Name]);
    const seen = byPair.get(key);
    if (!seen || weight(finding) > weight(seen)) byPair.set(key, finding);
  }
  return [...byPair.values()];
}
