import { EXIT, fail } from '../errors';
import { ImageRef, parseImageRef } from '../image-ref';
import { Env, Settings, readSettings } from '../settings';
import { safe } from '../text';

/** The most images scanned at once: Clair is CPU-bound, and more only adds latency (docs/rescans.md). */
export const MAX_CONCURRENCY = 32;
/** The longest first wait before Security Hub is asked again (RESCAN_SECURITY_HUB_BACKOFF_MS), a minute. */
export const MAX_SECURITY_HUB_BACKOFF_MS = 60_000;

/** Everything the rescan decides with, validated; the gate's own settings for the policy. */
export interface RescanSettings {
  /** The gate's settings (policy, canary, Clair, registries, deadline), without an image. */
  readonly gate: Settings;
  readonly region: string;
  readonly account: string;
  readonly partition: string;
  /** The environment's name, the metrics' dimension and the notifications' subject. */
  readonly environment: string;
  readonly concurrency: number;
  /** Whether ECS is asked what runs (RESCAN_ECS, default true). */
  readonly ecs: boolean;
  /** Images the configuration lists (RESCAN_IMAGES), rescanned whether or not they run on ECS. */
  readonly listed: ImageRef[];
  readonly stateBucket: string;
  readonly stateKey: string;
  readonly stateKmsKey: string;
  readonly topicArn: string;
  readonly metricNamespace: string;
  /** Whether findings are imported into Security Hub (RESCAN_SECURITY_HUB). */
  readonly securityHub: boolean;
  /**
   * The wait before Security Hub is first asked again for throttled requests and refused findings,
   * in milliseconds, doubling for each retry after it (RESCAN_SECURITY_HUB_BACKOFF_MS, default 1000).
   */
  readonly securityHubBackoffMs: number;
}

function required(env: Env, name: string, pattern: RegExp, shape: string): string {
  const value = env[name] ?? '';
  if (!pattern.test(value)) fail(EXIT.badInput, `${name} must be ${shape}, got '${safe(value)}'`);
  return value;
}

/** An integer setting from `min` to `max` (digits only, no leading zero), `fallback` when unset. */
function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = env[name] || String(fallback);
  const value = Number(text);
  if (!/^[1-9][0-9]{0,8}$/.test(text) || value < min || value > max) {
    fail(EXIT.badInput, `${name} must be an integer from ${min} to ${max}, got '${safe(text)}'`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const value = (env[name] || String(fallback)).toLowerCase();
  if (value !== 'true' && value !== 'false') fail(EXIT.badInput, `${name} must be true or false, got '${safe(value)}'`);
  return value === 'true';
}

/** Reads and validates the rescan's environment; any bad value fails with exit 2 naming it. */
export function readRescanSettings(env: Env, now: Date = new Date()): RescanSettings {
  const gate = readSettings({ ...env, IMAGE_URI: undefined, READINESS_ONLY: 'true' }, now);
  const concurrency = integer(env, 'RESCAN_CONCURRENCY', 4, 1, MAX_CONCURRENCY);
  const listed = (env.RESCAN_IMAGES ?? '')
    .split(/[\s,]+/)
    .filter((uri) => uri !== '')
    .map((uri) => parseImageRef('RESCAN_IMAGES', uri));
  const arnPart = /^arn:(aws|aws-cn|aws-us-gov):sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$/;
  return {
    gate,
    region: required(env, 'AWS_REGION', /^[a-z]{2}(-[a-z]+)+-[0-9]$/, 'an AWS region such as eu-west-1'),
    account: required(env, 'RESCAN_ACCOUNT_ID', /^[0-9]{12}$/, 'a 12-digit account id'),
    partition: required(env, 'RESCAN_PARTITION', /^(aws|aws-cn|aws-us-gov)$/, 'aws, aws-cn or aws-us-gov'),
    environment: required(
      env,
      'RESCAN_ENVIRONMENT',
      /^[A-Za-z0-9_.-]{1,64}$/,
      'the environment name (letters, digits, _ . -)',
    ),
    concurrency,
    ecs: flag(env, 'RESCAN_ECS', true),
    listed,
    stateBucket: required(env, 'RESCAN_STATE_BUCKET', /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
    stateKey: required(env, 'RESCAN_STATE_KEY', /^[A-Za-z0-9!_.*'()/-]{1,512}$/, 'an S3 object key'),
    stateKmsKey: required(
      env,
      'RESCAN_STATE_KMS_KEY',
      /^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)\/[A-Za-z0-9/_-]+$/,
      'a KMS key ARN',
    ),
    topicArn: required(env, 'RESCAN_TOPIC_ARN', arnPart, 'an SNS topic ARN'),
    metricNamespace: required(env, 'RESCAN_METRIC_NAMESPACE', /^[A-Za-z0-9_./#:-]{1,255}$/, 'a CloudWatch namespace'),
    securityHub: flag(env, 'RESCAN_SECURITY_HUB', false),
    securityHubBackoffMs: integer(env, 'RESCAN_SECURITY_HUB_BACKOFF_MS', 1000, 1, MAX_SECURITY_HUB_BACKOFF_MS),
  };
}
