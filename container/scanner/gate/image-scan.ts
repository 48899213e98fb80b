import { Allowlist } from './allowlist';
import { ClairV1 } from './clair-v1';
import { Coverage, checkCoverage } from './coverage';
import { Deadline } from './deadline';
import { EXIT, GateError, fail } from './errors';
import { Finding } from './findings';
import { ImageRef } from './image-ref';
import { KlarOptions, scanWithKlar } from './klar';
import { selectPlatforms } from './platforms';
import { ImageManifest, Manifest, RegistryClient, UnreadableManifest } from './registry';
import { Env } from './settings';
import { Policy, Verdict, decide } from './verdict';

/**
 * One image the gate scans: the image asked for, or one platform's image of an index or list,
 * by its digest (reference/image-formats.md).
 */
export interface Target {
  readonly ref: ImageRef;
  readonly manifest: ImageManifest | UnreadableManifest;
  /** For a platform of an index: its name (`os/arch[/variant]`) and the index's digest. */
  readonly platform?: { readonly name: string; readonly indexDigest: string };
}

/** What scanning one target found: klar's report and the coverage, or why it was not scanned. */
export interface TargetScan {
  readonly target: Target;
  /** klar's standard output, or null when the image was not sent to klar. */
  readonly klarOutput: string | null;
  readonly layerCount: number;
  readonly findings: Finding[];
  /** Null when coverage is not checked (REQUIRE_COVERAGE=false and a format Clair reads). */
  readonly coverage: Coverage | null;
}

/** The image `digest` of the repository of `image`. */
function byDigest(image: ImageRef, digest: string): ImageRef {
  return { ...image, uri: `${image.registry}/${image.repository}@${digest}`, reference: digest, byDigest: true };
}

/**
 * The images to scan for a manifest: the image itself, or each platform's image of an index (those
 * of PLATFORMS), each read by its digest. Attestation manifests are left out; an entry that is
 * itself an index fails 5.
 */
export async function resolveTargets(
  image: ImageRef,
  manifest: Manifest,
  client: RegistryClient,
  platforms: readonly string[],
  deadline: Deadline,
): Promise<Target[]> {
  if (manifest.kind !== 'index') return [{ ref: image, manifest }];
  const targets: Target[] = [];
  for (const entry of selectPlatforms(manifest, platforms)) {
    const platform = { name: entry.platform, indexDigest: manifest.digest };
    const read = await client.manifest(deadline, entry.digest);
    if (read.kind === 'index') {
      fail(
        EXIT.failed,
        `index: the entry for ${entry.platform} (${entry.digest}) is itself an index, which the gate does not follow; push one index of images`,
      );
    }
    targets.push({ ref: byDigest(image, entry.digest), manifest: read, platform });
  }
  return targets;
}

/** What scanning a target needs besides it. */
export interface ScanContext {
  readonly env: Env;
  readonly klar: KlarOptions;
  readonly deadline: Deadline;
  /** Clair, when coverage is checked (REQUIRE_COVERAGE=true). */
  readonly clair?: ClairV1;
  /** Prints klar's standard error when it fails. */
  readonly printRaw: (text: string) => void;
}

/**
 * Scans one target: a format Clair v2 cannot read is not sent to klar and is not covered, with the
 * reasons, whatever REQUIRE_COVERAGE says (no scan happened at all); otherwise klar scans it and,
 * with coverage required, Clair is asked what it found. Errors name the platform of an index.
 */
export async function scanTarget(target: Target, ctx: ScanContext): Promise<TargetScan> {
  const { manifest } = target;
  if (manifest.kind === 'unreadable') {
    const coverage: Coverage = { os: null, packages: 0, namespaces: [], findings: [], gaps: manifest.reasons };
    return { target, klarOutput: null, layerCount: manifest.layerCount, findings: [], coverage };
  }
  try {
    const scan = await scanWithKlar(target.ref, ctx.env, ctx.klar, ctx.deadline);
    if (!scan.ok) {
      ctx.printRaw(scan.stderr);
      fail(EXIT.failed, scan.error);
    }
    const findings = [...scan.report.findings];
    let coverage: Coverage | null = null;
    if (ctx.clair) {
      const layer = await ctx.clair.layer(manifest.layerName);
      findings.push(...layer.findings);
      coverage = await checkCoverage(layer, ctx.clair);
    }
    return { target, klarOutput: scan.stdout, layerCount: scan.report.layerCount, findings, coverage };
  } catch (error) {
    if (error instanceof GateError && target.platform) {
      throw new GateError(error.code, `${target.platform.name}: ${error.message}`);
    }
    throw error;
  }
}

/** What deciding a target needs besides its scan: the image asked for, the policy and the allowlist. */
export interface DecideContext {
  readonly image: ImageRef;
  readonly clairAddr: string;
  readonly allowlist: Allowlist;
  readonly allowlistSource: string | null;
  readonly policy: Policy;
}

/** The gate's verdict on one scanned target (the image, or one platform's image of an index). */
export function decideTarget(scan: TargetScan, ctx: DecideContext): Verdict {
  return decide(
    {
      image: ctx.image.uri,
      repository: ctx.image.repository,
      digest: scan.target.manifest.digest,
      platform: scan.target.platform,
      unread: scan.klarOutput === null,
      clair: ctx.clairAddr,
      layerCount: scan.layerCount,
      findings: scan.findings,
      coverage: scan.coverage,
      allowlist: ctx.allowlist,
      allowlistSource: ctx.allowlistSource,
    },
    ctx.policy,
  );
}
