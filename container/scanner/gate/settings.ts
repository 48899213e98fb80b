import { EXIT, fail } from './errors';
import { HOST_RE, ImageRef, checkAllowed, parseAllowedRegistries, parseImageRef } from './image-ref';
import { parsePlatforms } from './platforms';
import { SEVERITIES, Severity } from './severity';
import { safe } from './text';

/** The environment the gate reads: a plain map of variables. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The default of SCAN_DEADLINE_SECONDS: the default readiness bound (3600 s) plus 25 minutes,
 * five minutes inside the scanner build's default timeout (readiness + 30 min,
 * stages/clair/scanner.ts), so that a verdict and reports are written before CodeBuild stops the build.
 */
export const DEFAULT_DEADLINE_SECONDS = 3600 + 25 * 60;

/** Everything the gate decides with, validated. */
export interface Settings {
  readonly readinessOnly: boolean;
  /** Absent only in readiness-only mode without IMAGE_URI. */
  readonly image?: ImageRef;
  readonly canary: ImageRef;
  readonly allowedRegistries: string[];
  readonly clairAddr: string;
  readonly clairHost: string;
  readonly canaryMin: number;
  readonly readinessTimeoutSeconds: number;
  readonly readinessIntervalSeconds: number;
  readonly severity: Severity;
  readonly minRank: number;
  readonly maxVulnerabilities: number;
  readonly countUnknown: boolean;
  readonly ignoreUnfixed: boolean;
  readonly requireCoverage: boolean;
  /** PLATFORMS: the platforms of an index or list to scan (`os/arch[/variant]`); empty for all. */
  readonly platforms: string[];
  readonly clairTimeoutMinutes: number;
  readonly registryInsecure: boolean;
  readonly dockerInsecure: boolean;
  readonly deadlineSeconds: number;
  /** YYYY-MM-DD, UTC. */
  readonly today: string;
  readonly reportDir: string;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = env[name] || String(fallback);
  const lower = value.toLowerCase();
  if (lower !== 'true' && lower !== 'false') fail(EXIT.badInput, `${name} must be true or false, got '${safe(value)}'`);
  return lower === 'true';
}

/** A non-negative decimal integer without leading zeros, at least `min`. */
function count(env: Env, name: string, fallback: number, min = 0): number {
  const value = env[name] || String(fallback);
  if (!/^(0|[1-9][0-9]{0,8})$/.test(value)) {
    fail(EXIT.badInput, `${name} must be a non-negative integer, got '${safe(value)}'`);
  }
  const n = Number(value);
  if (n < min) fail(EXIT.badInput, `${name} must be at least ${min}, got '${value}'`);
  return n;
}

/** A calendar date YYYY-MM-DD (2025-02-30 is not one). */
export function isDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/**
 * CLAIR_ADDR with an explicit port and no path: klar appends :6060 to an address without a port,
 * which silently misses a load balancer listening on 80/443 (reference/klar-and-clair-v2.md).
 */
function clairAddress(value: string | undefined): { addr: string; host: string } {
  const m = new RegExp(`^https?://(?<host>${HOST_RE}):(?<port>[0-9]{1,5})$`).exec(value ?? '');
  if (!m) {
    fail(
      EXIT.badInput,
      `CLAIR_ADDR must be http(s)://host:port with an explicit port and no path, got '${safe(value ?? '')}'`,
    );
  }
  const port = Number(m.groups!.port);
  if (port < 1 || port > 65535) fail(EXIT.badInput, `CLAIR_ADDR has an invalid port: '${value}'`);
  return { addr: value!, host: m.groups!.host };
}

/**
 * REPORT_DIR: a path, never an option-like or control-character-laden string
 * (reference/hostile-inputs.md, D13).
 */
function reportDir(value: string | undefined): string {
  const dir = value || './scan-reports';
  // eslint-disable-next-line no-control-regex
  if (dir.startsWith('-') || /[\u0000-\u001f\u007f]/.test(dir) || dir.length > 1024) {
    fail(
      EXIT.badInput,
      `REPORT_DIR must be a directory path (not starting with '-', no control characters), got '${safe(dir)}'`,
    );
  }
  return dir;
}

/** Reads and validates the gate's environment; any bad value fails with exit 2 naming it. */
export function readSettings(env: Env, now: Date = new Date()): Settings {
  const readinessOnly = bool(env, 'READINESS_ONLY', false);
  const image = !readinessOnly || env.IMAGE_URI ? parseImageRef('IMAGE_URI', env.IMAGE_URI) : undefined;
  const canary = parseImageRef('CANARY_IMAGE_URI', env.CANARY_IMAGE_URI);
  const clair = clairAddress(env.CLAIR_ADDR);
  const canaryMin = count(env, 'CANARY_MIN_VULNERABILITIES', 1, 1);
  const readinessTimeoutSeconds = count(env, 'READINESS_TIMEOUT_SECONDS', 3600);
  const readinessIntervalSeconds = count(env, 'READINESS_INTERVAL_SECONDS', 60);
  const severityName = env.SEVERITY || 'High';
  const minRank = SEVERITIES.findIndex((s) => s.toLowerCase() === severityName.toLowerCase());
  if (minRank < 0) {
    fail(EXIT.badInput, `SEVERITY must be one of ${SEVERITIES.join(' ')} (any case), got '${safe(severityName)}'`);
  }
  const maxVulnerabilities = count(env, 'MAX_VULNERABILITIES', 0);
  const countUnknown = bool(env, 'COUNT_UNKNOWN', true);
  const ignoreUnfixed = bool(env, 'IGNORE_UNFIXED', false);
  const clairTimeoutMinutes = count(env, 'CLAIR_TIMEOUT_MINUTES', 15, 1);
  const requireCoverage = bool(env, 'REQUIRE_COVERAGE', true);
  const registryInsecure = bool(env, 'REGISTRY_INSECURE', false);
  const dockerInsecure = bool(env, 'DOCKER_INSECURE', false);
  const deadlineSeconds = count(env, 'SCAN_DEADLINE_SECONDS', DEFAULT_DEADLINE_SECONDS, 1);
  let today = now.toISOString().slice(0, 10);
  if (env.SCAN_TODAY) {
    if (!isDate(env.SCAN_TODAY))
      fail(EXIT.badInput, `SCAN_TODAY must be a date YYYY-MM-DD, got '${safe(env.SCAN_TODAY)}'`);
    today = env.SCAN_TODAY;
  }
  const allowedRegistries = parseAllowedRegistries(env.ALLOWED_REGISTRIES);
  checkAllowed('CANARY_IMAGE_URI', canary, allowedRegistries);
  if (image) checkAllowed('IMAGE_URI', image, allowedRegistries);
  return {
    readinessOnly,
    image,
    canary,
    allowedRegistries,
    clairAddr: clair.addr,
    clairHost: clair.host,
    canaryMin,
    readinessTimeoutSeconds,
    readinessIntervalSeconds,
    severity: SEVERITIES[minRank],
    minRank,
    maxVulnerabilities,
    countUnknown,
    ignoreUnfixed,
    requireCoverage,
    platforms: parsePlatforms(env.PLATFORMS),
    clairTimeoutMinutes,
    registryInsecure,
    dockerInsecure,
    deadlineSeconds,
    today,
    reportDir: reportDir(env.REPORT_DIR),
  };
}
