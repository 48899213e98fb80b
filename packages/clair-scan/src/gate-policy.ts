/** Klar's severity order, lowest first. */
export const SEVERITIES = ['Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical', 'Defcon1'] as const;

/** One of klar's severities. */
export type Severity = (typeof SEVERITIES)[number];

/** What a scan gate decides with: the part of a scanner's policy a scan step may override. */
export interface GatePolicy {
  /** Lowest severity that counts. */
  readonly severity: Severity;
  /** Counted vulnerabilities tolerated. */
  readonly maxVulnerabilities: number;
  /** Count `Unknown` severity whatever `severity` says (Clair v2's Alpine data has none). */
  readonly countUnknown: boolean;
  /** Count only vulnerabilities that have a fix. */
  readonly ignoreUnfixed: boolean;
  /**
   * Fail an image Clair could not read (no operating system, no packages, no data for its
   * distribution). @default the scanner project's own setting (true unless its environment says so)
   */
  readonly requireCoverage?: boolean;
  /** Allowlist YAML, relative to the step's `projectRoot`. @default none */
  readonly allowlistFile?: string;
}

/**
 * The gate's policy as `scan-image`'s environment variables. The scanner project carries the
 * environment's defaults; a scan step may pass the same variables as build overrides.
 */
export function gatePolicyEnvironment(policy: GatePolicy): Record<string, string> {
  return {
    SEVERITY: policy.severity,
    MAX_VULNERABILITIES: String(policy.maxVulnerabilities),
    COUNT_UNKNOWN: String(policy.countUnknown),
    IGNORE_UNFIXED: String(policy.ignoreUnfixed),
    ...(policy.requireCoverage === undefined ? {} : { REQUIRE_COVERAGE: String(policy.requireCoverage) }),
  };
}
