import { Allowlist } from '../allowlist';
import { ClairV1 } from '../clair-v1';
import { Deadline, DeadlineError } from '../deadline';
import { GateError } from '../errors';
import { Finding } from '../findings';
import { HttpClient } from '../http';
import { ImageRef, checkAllowed, parseImageRef } from '../image-ref';
import { decideTarget, resolveTargets, scanTarget } from '../image-scan';
import { KlarOptions } from '../klar';
import { RegistryClient, basicCredentials } from '../registry';
import { Env, Settings } from '../settings';
import { Verdict } from '../verdict';
import { Target } from './inventory';

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
  /** The findings that count against the policy (`<id> <package>`). */
  readonly counted: string[];
  /** Every finding the allowlist does not allow; a not-scanned image keeps its previous ones. */
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
  readonly allowlist: Allowlist;
  readonly allowlistSource: string | null;
  readonly deadline: Deadline;
  readonly http: HttpClient;
  readonly klarOptions: (ecrPassword: string | undefined) => KlarOptions;
  /** The ECR password for an image's registry (undefined for other registries), fetched once per registry. */
  readonly password: (image: ImageRef) => Promise<string | undefined>;
}

/**
 * Rescans one image with the gate's own steps and verdict: the registry's manifest (verified
 * digest), klar, Clair's view of the top layer and the coverage check, then decide() with the
 * gate's policy and allowlist. An image that cannot be rescanned (not allowed, not pullable, klar or
 * Clair failing) is `not-scanned` with the reason, never passed.
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
    const clair = settings.requireCoverage ? new ClairV1(ctx.http, settings.clairAddr, timeoutMs) : undefined;
    const verdicts: Verdict[] = [];
    for (const each of targets) {
      const scan = await scanTarget(each, {
        env: ctx.env,
        klar: ctx.klarOptions(password),
        deadline,
        clair,
        printRaw: () => undefined,
      });
      verdicts.push(
        decideTarget(scan, {
          image,
          clairAddr: settings.clairAddr,
          allowlist: ctx.allowlist,
          allowlistSource: ctx.allowlistSource,
          policy: settings,
        }),
      );
    }
    const failing = verdicts.filter(
      (v) => v.counted > settings.maxVulnerabilities || v.coverage.state === 'not-covered',
    );
    const allowed = new Set(verdicts.flatMap((v) => v.findings.allowed.map((f) => findingKey(keep(f)))));
    const unique = <T>(items: T[], key: (item: T) => string) => [...new Map(items.map((i) => [key(i), i])).values()];
    const verdictLine = (v: Verdict) => v.summary.split('\n').find((line) => line.startsWith('Verdict: ')) ?? '';
    return {
      image: image.uri,
      digest: top.digest,
      where: target.where,
      status: failing.length > 0 ? 'failing' : 'passed',
      reason: verdictLine(failing[0] ?? verdicts[0]),
      counted: [...new Set(verdicts.flatMap((v) => v.findings.counted.map((f) => findingKey(keep(f)))))],
      findings: unique(
        verdicts.flatMap((v) => v.findings.reported.map(keep)),
        findingKey,
      ).filter((f) => !allowed.has(findingKey(f))),
    };
  } catch (error) {
    if (error instanceof GateError || error instanceof DeadlineError) return notScanned(error.message);
    throw error;
  }
}
