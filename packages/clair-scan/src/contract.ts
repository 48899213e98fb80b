/**
 * The contract between a scan step and the scanner it calls: the names a step finds the scanner
 * by, the role names the invoker trusts, the variables a step may override, and the version of
 * all of that. Both sides import it from this package, so they cannot disagree by accident; a
 * step checks the scanner's version at run time, before it starts a scan.
 */

/**
 * The contract version this package speaks. Raise it whenever a change on either side needs the
 * other to change too (a new or renamed variable, another exit status, another name); a step and
 * a scanner of different versions then refuse to work together with one line saying which to
 * upgrade, instead of failing somewhere in the middle of a scan.
 */
export const SCAN_CONTRACT_VERSION = 1;

/**
 * The environment variable that carries a contract version: on the scanner project, the version
 * the scanner speaks; in a scan step, the version the step expects.
 */
export const CONTRACT_VARIABLE = 'CLAIR_SCAN_CONTRACT';

/** The scanner project's name: fixed, so any pipeline can find an account's scanner. */
export const SCANNER_PROJECT_NAME = 'clair-scanner';

/** The invoker role's name in a region: fixed, so a pipeline's IAM policy can name it exactly. */
export function invokerRoleName(region: string): string {
  return `clair-scanner-invoker-${region}`;
}

/**
 * The name of the role the scanner's builds run as in a region: fixed, so that a team's ECR
 * repository policy can grant exactly that role the pulls of a scan.
 */
export function scannerRoleName(region: string): string {
  return `clair-scanner-build-${region}`;
}

/**
 * The name prefix of the roles a scanner's invoker role trusts: in a trusted account, only roles
 * named `clair-scan-…` may assume the invoker. `ClairScanRole` names its roles so; a team that
 * brings its own role must name it so. (A name, not an IAM path: CDK Pipelines passes a step's
 * role to CodeBuild by name, and CodeBuild cannot find a role under a path by its name alone.)
 */
export const SCAN_ROLE_PREFIX = 'clair-scan-';

/** The `aws:PrincipalArn` pattern of the scan roles of one account. */
export function scanRoleArnPattern(partition: string, account: string): string {
  return `arn:${partition}:iam::${account}:role/${SCAN_ROLE_PREFIX}*`;
}

/**
 * The only environment variables a caller may override when it starts the scanner: exactly what a
 * scan step sends (the image, readiness-only mode and the gate's policy). Everything else the
 * scanner reads (CLAIR_ADDR, the canary, readiness bounds, klar's own settings) stays the project's.
 */
export const GATE_VARIABLES = [
  'IMAGE_URI',
  'READINESS_ONLY',
  'SEVERITY',
  'MAX_VULNERABILITIES',
  'COUNT_UNKNOWN',
  'IGNORE_UNFIXED',
  'REQUIRE_COVERAGE',
  'ALLOWLIST_B64',
];
