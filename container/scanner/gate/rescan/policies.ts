import { Allowlist, parseAllowlist } from '../allowlist';
import { PolicyRecord, parseRecord } from '../deployed-policy';
import { rankOf } from '../severity';
import { safe } from '../text';
import { Policy } from '../verdict';
import { FetchedRecord } from './deployed-policies';

/** A policy an image is judged by: what decide() takes, coverage, the allowlist, and its name in reports. */
export interface JudgingPolicy {
  /** The environment's default, or the record of the policy the image was deployed with. */
  readonly name: string;
  readonly policy: Policy;
  readonly requireCoverage: boolean;
  readonly allowlist: Allowlist;
  readonly allowlistSource: string | null;
}

/** The policies that judge one image (it must pass every one) and the problems with its records. */
export interface ImagePolicies {
  readonly policies: JudgingPolicy[];
  /** Records that could not be used (`<key>: <why>`): the image is then judged by the default too. */
  readonly problems: string[];
}

/** The environment's allowlist, with where it came from. */
export interface EnvironmentAllowlist {
  readonly allowlist: Allowlist;
  readonly source: string | null;
}

/** A policy in one line, for the rescan's output and notifications. */
export function describePolicy(p: Policy & { requireCoverage: boolean }): string {
  return `severity >= ${p.severity}; Unknown counts: ${p.countUnknown}; unfixed ignored: ${p.ignoreUnfixed}; tolerated: ${p.maxVulnerabilities}; coverage required: ${p.requireCoverage}`;
}

/** Both allowlists' entries: a finding either allows is allowed (the environment's own decisions stand for every image). */
function merged(recorded: Allowlist, environment: Allowlist): Allowlist {
  return {
    allow: [...recorded.allow, ...environment.allow],
    unscannable: [...recorded.unscannable, ...environment.unscannable],
  };
}

function judgingPolicy(
  key: string,
  record: PolicyRecord,
  environment: EnvironmentAllowlist,
  today: string,
): JudgingPolicy {
  const p = record.policy;
  const recorded = p.allowlist === null ? null : parseAllowlist(p.allowlist, `recorded in ${key}`, today);
  const policy = { ...p, minRank: rankOf(p.severity) };
  const sources = [recorded ? `recorded in ${key}` : null, environment.source].filter((s) => s !== null);
  return {
    name: `the policy deployed ${record.recordedAt} (${describePolicy(policy)}; allowlist: ${recorded ? 'recorded' : 'none'}; ${key})`,
    policy,
    requireCoverage: p.requireCoverage,
    allowlist: recorded ? merged(recorded, environment.allowlist) : environment.allowlist,
    allowlistSource: sources.length > 0 ? sources.join(' and ') : null,
  };
}

/**
 * The policies that judge an image of `digest`: every policy recorded for it, since adding a record
 * can only make the rescan stricter (an invoker that scans another team's digest with a lax policy
 * loosens nothing). Records are untrusted: one that is too large, not a record, filed under a key
 * that does not match its content, or whose allowlist the gate would refuse is a problem, and the
 * environment's default then judges the image too, as it does when no record exists. The
 * environment's allowlist applies with each recorded one: its entries are the environment owner's
 * decisions, and the way to accept a finding on what runs (docs/rescans.md).
 */
export function selectPolicies(
  fetched: FetchedRecord[],
  digest: string,
  fallback: JudgingPolicy,
  environment: EnvironmentAllowlist,
  today: string,
): ImagePolicies {
  const policies: JudgingPolicy[] = [];
  const problems: string[] = [];
  for (const { key, bytes, problem } of fetched) {
    if (!bytes) {
      problems.push(`${key}: ${problem}`);
      continue;
    }
    try {
      policies.push(judgingPolicy(key, parseRecord(bytes, key, digest), environment, today));
    } catch (error) {
      problems.push(`${key}: ${safe((error as Error).message)}`);
    }
  }
  if (policies.length === 0 || problems.length > 0) policies.push(fallback);
  return { policies, problems };
}
