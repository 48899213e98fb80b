import { ObjectReader, StringRule } from './config-reader';
import { RULES } from './config-rules';
import { goDurationSeconds, rateExpressionMinutes } from './durations';

/** How often and what an environment's rescan of running images does (docs/rescans.md). */
export interface RescanConfig {
  /** Rescan on a schedule at all. @default true */
  readonly enabled: boolean;
  /**
   * How often: an EventBridge rate expression from one hour to six days.
   * @default once per clair.updaterInterval (at least hourly; daily when the updater is off)
   */
  readonly schedule: string;
  /** Images rescanned at once: Clair is CPU-bound, more only adds latency. @default 4 */
  readonly concurrency: number;
  /** Images to rescan besides what ECS runs (other runtimes), as registry/repository@sha256:… or :tag. @default none */
  readonly images: string[];
  /** Import findings into Security Hub (CSPM must be enabled in the account and region). @default false */
  readonly securityHub: boolean;
}

/** The schedule's bounds: each rescan is a build; the silence alarm looks back within CloudWatch's seven days. */
export const RESCAN_MINUTES = { min: 60, max: 6 * 1440 };

/** An image reference with an explicit registry (what the rescan accepts in RESCAN_IMAGES). */
const IMAGE_RULE: StringRule = {
  pattern:
    /^[a-z0-9.-]+(:[0-9]{1,5})?\/[a-z0-9]+([._/-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$/,
  description:
    'an image reference with its registry, such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:<64 hex>',
  example: "'123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.2.3'",
};

/** The default schedule: the updater's interval as a rate, at least an hour; daily when the updater is off. */
export function defaultRescanSchedule(updaterInterval: string): string {
  const seconds = goDurationSeconds(updaterInterval);
  if (seconds === 0) return 'rate(1 day)';
  const minutes = Math.max(RESCAN_MINUTES.min, Math.ceil(seconds / 60));
  if (minutes % 1440 === 0) return minutes === 1440 ? 'rate(1 day)' : `rate(${minutes / 1440} days)`;
  if (minutes % 60 === 0) return minutes === 60 ? 'rate(1 hour)' : `rate(${minutes / 60} hours)`;
  return `rate(${minutes} minutes)`;
}

/** Where the environment's images may come from: the scanner's registries (ALLOWED_REGISTRIES). */
export interface RescanRegistries {
  readonly account: string;
  readonly region: string;
  /** The accounts whose ECR the scanner may read (`scan.pullAccounts`). */
  readonly pullAccounts: string[];
}

/**
 * Reads an environment's `rescan` settings; the schedule defaults to the updater's interval. A
 * listed image must be on a registry the scanner may read (its own or an admitted account's ECR
 * in its region), or the rescan could only report it as not rescanned.
 */
export function readRescan(reader: ObjectReader, updaterInterval: string, registries: RescanRegistries): RescanConfig {
  const rescan: RescanConfig = {
    enabled: reader.boolean('enabled', true),
    schedule: reader.optionalString('schedule', RULES.scheduleExpression) ?? defaultRescanSchedule(updaterInterval),
    concurrency: reader.integer('concurrency', 4, 1, 32),
    images: reader.stringList('images', IMAGE_RULE),
    securityHub: reader.boolean('securityHub', false),
  };
  if (RULES.scheduleExpression.pattern.test(rescan.schedule)) {
    const minutes = rateExpressionMinutes(rescan.schedule);
    if (minutes === undefined || minutes < RESCAN_MINUTES.min || minutes > RESCAN_MINUTES.max) {
      reader.problem(
        'schedule',
        `must be a rate expression from 'rate(1 hour)' to 'rate(6 days)' (singular unit for 1, plural otherwise; no cron: the rescan alarms' window is one interval plus one rescan), got '${rescan.schedule}'`,
      );
    }
  }
  const allowed = [registries.account, ...registries.pullAccounts].map(
    (account) => `${account}.dkr.ecr.${registries.region}.`,
  );
  for (const image of rescan.images.filter((i) => IMAGE_RULE.pattern.test(i))) {
    if (!allowed.some((prefix) => image.startsWith(prefix))) {
      reader.problem(
        'images',
        `must name images on the ECR registries the scanner may read (${allowed.map((p) => `${p}amazonaws.com`).join(', ')}; add the account to scan.pullAccounts), got '${image}'`,
      );
    }
  }
  reader.done();
  return rescan;
}
