import { ScanPolicyConfig } from '../../config/config';

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
