import { ClairV1 } from '../clair-v1';
import { Deadline, DeadlineError } from '../deadline';
import { GateError } from '../errors';
import { Finding } from '../findings';
import { HttpClient } from '../http';
import { ImageRef, checkAllowed, parseImageRef } from '../image-ref';
import { TargetScan, decideTarget, resolveTargets, scanTarget } from '../image-scan';
import { KlarOptions } from '../klar';
import { RegistryClient, basicCredentials } from '../registry';
import { Env, Settings } from '../settings';
import { Verdict } from '../verdict';
import { Target } from './inventory';
import { ImagePolicies, JudgingPolicy } from './policies';

/** A finding as the rescan keeps it: enough to notify and to write a Security Hub finding. */
export interface KeptFinding {
  readonly id: string;
  readonly package: string;
  readonly version: string;
  readonly severity: string;
  readonly fixedBy: string;
  readonly link: string;
  readonly description: string;
}

/** One image's rescan. */
export interface ImageResult {
  readonly image: string;
  /** The verified manifest digest, when the manifest was read. */
  readonly digest?: string;
  readonly where: string[];
  /** `failing`: the gate would refuse it (counted findings or not covered); `not-scanned`: an error. */
  readonly status: 'passed' | 'failing' | 'not-scanned';
  /** The verdict line, or why it could not be scanned. */
  readonly reason: string;
  /** The policies it fails (their names), when failing; older states lack it. */
  readonly failedPolicies?: string[];
  /** Its deployed-policy records that could not be used (it was judged by the default too); older states lack it. */
  readonly policyProblems?: string[];
  /** The findings that count against any of its policies (`<id> <package>`). */
  readonly counted: string[];
  /** Every finding not every policy's allowlist allows; a not-scanned image keeps its previous ones. */
  readonly findings: KeptFinding[];
}

/** The key of a finding: vulnerability and package. */
export const findingKey = (f: { id: string; package: string }): string => `${f.id} ${f.package}`;

/** The longest description kept (Security Hub's limit for a finding's description). */
const MAX_DESCRIPTION = 1024;

function keep(f: Finding): KeptFinding {
  return {
    id: f.Name,
    package: f.FeatureName ?? 'unknown',
    version: f.FeatureVersion ?? '',
    severity: f.Severity,
    fixedBy: f.FixedBy ?? '',
    link: f.Link ?? '',
    description: (f.Description ?? '').slice(0, MAX_DESCRIPTION),
  };
}

/** What every image's rescan shares. */
export interface ScanContext {
  readonly env: Env;
  readonly settings: Settings;
  /** The policies that judge an image of a digest (its deployed-policy records, else the default). */
  readonly policies: (digest: string) => Promise<ImagePolicies>;
  readonly deadline: Deadline;
  readonly http: HttpClient;
  readonly klarOptions: (ecrPassword: string | undefined) => KlarOptions;
  /** The ECR password for an image's registry (undefined for other registries), fetched once per registry. */
  readonly password: (image: ImageRef) => Promise<string | undefined>;
}

/**
 * Rescans one image with the gate's own steps and verdict: the registry's manifest (verified
 * digest), klar, Clair's view of the top layer and the coverage check, then decide() with each
 * policy of the image (its deployed-policy records, else the environment's default) and its
 * allowlist. An image that cannot be rescanned (not allowed, not pullable, klar or Clair failing, a
 * record that cannot be read) is `not-scanned` with the reason, never passed.
 */
export async function rescanImage(target: Target, ctx: ScanContext): Promise<ImageResult> {
  const { settings, deadline } = ctx;
  const notScanned = (reason: string): ImageResult => ({
    image: target.uri,
    where: target.where,
    status: 'not-scanned',
    reason,
    counted: [],
    findings: [],
  });
  if (target.problem) return notScanned(target.problem);
  try {
    const image = parseImageRef('the image', target.uri);
    checkAllowed('the image', image, settings.allowedRegistries);
    const password = await ctx.password(image);
    const timeoutMs = settings.clairTimeoutMinutes * 60 * 1000;
    const client = new RegistryClient(ctx.http, image, {
      basic: basicCredentials(password, ctx.env),
      plainHttp: settings.registryInsecure,
      insecureTls: settings.dockerInsecure,
      timeoutMs,
    });
    // The gate's own steps: an index or list is resolved to its platforms' images (every one must
    // pass), and a format Clair v2 cannot read is not covered (reference/image-formats.md).
    const top = await client.manifest(deadline);
    const targets = await resolveTargets(image, top, client, settings.platforms, deadline);
    // Its policies by the verified digest: a tag cannot borrow another image's records.
    const { policies, problems } = await ctx.policies(top.digest);
    const clair = policies.some((p) => p.requireCoverage)
      ? new ClairV1(ctx.http, settings.clairAddr, timeoutMs)
      : undefined;
    const scans: TargetScan[] = [];
    for (const each of targets) {
      scans.push(
        await scanTarget(each, {
          env: ctx.env,
          klar: ctx.klarOptions(password),
          deadline,
          clair,
          printRaw: () => undefined,
        }),
      );
    }
    const judgement = judge(image, settings.clairAddr, scans, policies);
    return {
      image: image.uri,
      digest: top.digest,
      where: target.where,
      status: judgement.status,
      reason: judgement.reason,
      ...(judgement.failedPolicies.length > 0 ? { failedPolicies: judgement.failedPolicies } : {}),
      ...(problems.length > 0 ? { policyProblems: problems } : {}),
      counted: judgement.counted,
      findings: judgement.findings,
    };
  } catch (error) {
    if (error instanceof GateError || error instanceof DeadlineError) return notScanned(error.message);
    throw error;
  }
}

/** An image's verdict under all of its policies. */
export interface Judgement {
  readonly status: 'passed' | 'failing';
  /** The verdict line of the first failing policy's failing target, else of the first verdict. */
  readonly reason: string;
  /** The names of the policies the image fails (none when it passes). */
  readonly failedPolicies: string[];
  /** The findings that count against any of its policies (`<id> <package>`). */
  readonly counted: string[];
  /** Every finding reported that not every policy's allowlist allows. */
  readonly findings: KeptFinding[];
}

/**
 * The scan as the gate would have seen it under `policy`: without coverage when the policy does not
 * require it, except for a format Clair v2 cannot read, which is never covered (scanTarget). Its
 * findings may include Clair's own, read for another policy's coverage check: at least as strict.
 */
function asScannedFor(scan: TargetScan, policy: JudgingPolicy): TargetScan {
  return policy.requireCoverage || scan.klarOutput === null ? scan : { ...scan, coverage: null };
}

/**
 * Judges an image's scans (one per platform) by every one of its policies with the gate's own
 * decideTarget(): it passes only if each policy passes each platform.
 */
export function judge(image: ImageRef, clairAddr: string, scans: TargetScan[], policies: JudgingPolicy[]): Judgement {
  const judged = policies.map((p) => {
    const verdicts = scans.map((scan) =>
      decideTarget(asScannedFor(scan, p), {
        image,
        clairAddr,
        allowlist: p.allowlist,
        allowlistSource: p.allowlistSource,
        policy: p.policy,
      }),
    );
    const failing = verdicts.filter(
      (v) => v.counted > p.policy.maxVulnerabilities || v.coverage.state === 'not-covered',
    );
    const allowed = new Set(verdicts.flatMap((v) => v.findings.allowed.map((f) => findingKey(keep(f)))));
    return { policy: p, verdicts, failing, allowed };
  });
  const failed = judged.filter((j) => j.failing.length > 0);
  const verdictLine = (v: Verdict) => v.summary.split('\n').find((line) => line.startsWith('Verdict: ')) ?? '';
  const allowedByAll = (key: string) => judged.every((j) => j.allowed.has(key));
  const reported = new Map(
    judged.flatMap((j) => j.verdicts.flatMap((v) => v.findings.reported.map(keep))).map((f) => [findingKey(f), f]),
  );
  return {
    status: failed.length > 0 ? 'failing' : 'passed',
    reason: verdictLine(failed[0]?.failing[0] ?? judged[0].verdicts[0]),
    failedPolicies: failed.map((j) => j.policy.name),
    counted: [
      ...new Set(judged.flatMap((j) => j.verdicts.flatMap((v) => v.findings.counted.map((f) => findingKey(keep(f)))))),
    ],
    findings: [...reported.values()].filter((f) => !allowedByAll(findingKey(f))),
  };
}
