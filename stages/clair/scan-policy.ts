import { ScanPolicyConfig } from '../../config/config';

/** How the scanner decides that Clair's data is loaded, as `scan-image`'s environment variables. */
export function readinessEnvironment(policy: ScanPolicyConfig): Record<string, string> {
  return {
    CANARY_MIN_VULNERABILITIES: String(policy.canaryMinVulnerabilities),
    READINESS_TIMEOUT_SECONDS: String(policy.readinessTimeoutMinutes * 60),
  };
}
