import { ScanPolicyConfig } from '../../config/config';

/**
 * What a scan gate decides with: the part of the scan policy a pipeline step may override.
 * `requireCoverage` is optional so that policies written before it existed still compile; left
 * out, the scanner project's own setting applies (true unless the environment's config says so).
 */
export type GatePolicy = Pick<
  ScanPolicyConfig,
  'severity' | 'maxVulnerabilities' | 'countUnknown' | 'ignoreUnfixed' | 'allowlistFile'
> &
  Partial<Pick<ScanPolicyConfig, 'requireCoverage'>>;

/**
 * The gate's policy as `scan-image`'s environment variables. The scanner project carries the
 * environment's defaults; a pipeline's scan step may pass the same variables as build overrides.
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

/**
 * The platforms of an index the scanner scans (PLATFORMS), when the environment limits them: the
 * scanner project's own setting, not among the variables a caller may override.
 */
export function platformEnvironment(policy: Pick<ScanPolicyConfig, 'platforms'>): Record<string, string> {
  return policy.platforms.length === 0 ? {} : { PLATFORMS: policy.platforms.join(',') };
}

/** How the scanner decides that Clair's data is loaded, as `scan-image`'s environment variables. */
export function readinessEnvironment(policy: ScanPolicyConfig): Record<string, string> {
  return {
    CANARY_MIN_VULNERABILITIES: String(policy.canaryMinVulnerabilities),
    READINESS_TIMEOUT_SECONDS: String(policy.readinessTimeoutMinutes * 60),
  };
}
