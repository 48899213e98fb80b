import * as fs from 'fs';
import { NO_ALLOWLIST, allowlistText, klarWhitelist, parseAllowlist } from './allowlist';
import { ClairV1 } from './clair-v1';
import { Deadline, DeadlineError } from './deadline';
import { policyRecords } from './deployed-policy';
import { ecrPassword } from './ecr';
import { EXIT, ExitCode, exitFor, GateError } from './errors';
import { HttpClient, proxySettings } from './http';
import { ImageRef } from './image-ref';
import { scanWithKlar } from './klar';
import { TargetScan, decideTarget, resolveTargets, scanTarget } from './image-scan';
import { combine } from './platform-verdict';
import { basicCredentials, RegistryClient, registerCredentials } from './registry';
import { Reports } from './reports';
import { Env, Settings, readSettings } from './settings';
import { escapeControls, redact, safe } from './text';
import { onePerPair } from './findings';

/*
 * scan-image, the scan gate: proves that Clair's vulnerability data is loaded (a canary image known
 * to be vulnerable must show findings), then reads IMAGE_URI's manifest (an index becomes each
 * platform's image; a format Clair v2 cannot read is not covered), scans each image with klar and
 * decides pass or fail itself, so that allow-listed findings are listed instead of silently dropped;
 * then asks Clair what it found in the image (coverage), so that an image Clair could not read never
 * passes as clean. An index passes only if every platform passes.
 *
 * Exit codes: 0 passed · 1 counted vulnerabilities exceed MAX_VULNERABILITIES · 2 bad input ·
 * 3 bad allowlist · 4 registry credentials could not be fetched or were refused · 5 klar, Clair or
 * the registry failed, or the scan ran past its deadline · 6 Clair not ready within
 * READINESS_TIMEOUT_SECONDS · 7 not covered · 70 internal error. Decision order: errors first; then
 * counted findings (1: a coverage gap never hides a finding); then coverage (7). Every exit goes
 * through an explicit verdict; anything unexpected is 70. The environment and the reports are
 * documented in docs/operations.md ("The scan gate").
 */

/** Where the gate's lines go. */
export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Waits `ms` milliseconds. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One run of the gate: the environment in, the exit code out. */
export async function main(env: Env, out: Output, now: () => number = Date.now): Promise<ExitCode> {
  const say = (line: string) => out.stdout(`scan-image: ${safe(line)}\n`);
  const printRaw = (text: string) => {
    for (const line of text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-100))
      out.stderr(`${safe(line)}\n`);
  };
  let reports: Reports | undefined;
  try {
    const settings = readSettings(env, new Date(now()));
    const deadline = new Deadline(settings.deadlineSeconds, now);
    return await gate(env, settings, deadline, { setReports: (r) => (reports = r), say, printRaw, out, now });
  } catch (error) {
    const { code, message } = exitFor(error);
    reports?.writeError(message);
    out.stderr(`scan-image: ${escapeControls(redact(message))}\n`);
    return code;
  }
}

/** What the gate's steps share besides the settings. */
export interface Context {
  readonly setReports: (reports: Reports) => void;
  readonly say: (line: string) => void;
  readonly printRaw: (text: string) => void;
  readonly out: Output;
  readonly now: () => number;
}

async function gate(env: Env, settings: Settings, deadline: Deadline, ctx: Context): Promise<ExitCode> {
  const { say, printRaw, out } = ctx;
  const noProxy = [env.NO_PROXY, settings.clairHost].filter((v) => v).join(',');
  const proxy = proxySettings({ ...env, NO_PROXY: noProxy });
  const http = new HttpClient(deadline, proxy);
  const timeoutMs = settings.clairTimeoutMinutes * 60 * 1000;
  const klarOptions = (ecr: string | undefined) => ({
    clairTimeoutMinutes: settings.clairTimeoutMinutes,
    ecrPassword: ecr,
    noProxy,
  });
  registerCredentials(env);

  const text = allowlistText(env, (file) => fs.readFileSync(file));
  const allowlist = text ? parseAllowlist(text.text, text.source, settings.today) : NO_ALLOWLIST;

  const reports = new Reports(settings.reportDir, settings.image?.uri, settings.clairAddr);
  ctx.setReports(reports);
  reports.prepare();
  if (text) reports.write('klar-whitelist.yaml', klarWhitelist(allowlist));

  await waitUntilReady(env, settings, deadline, klarOptions, ctx);
  if (settings.readinessOnly) return EXIT.passed;
  const image = settings.image as ImageRef;

  const password = await ecrPassword(image, env, deadline, printRaw);
  say(`scanning ${image.uri}`);
  // Read and checked before klar runs, whatever REQUIRE_COVERAGE says: a refused credential is exit
  // 4; a manifest over the caps or with another digest never reaches klar or Clair; an index is
  // resolved to its platforms' images; a format Clair v2 cannot read is named (docs/scan-gate.md).
  const client = new RegistryClient(http, image, {
    basic: basicCredentials(password, env),
    plainHttp: settings.registryInsecure,
    insecureTls: settings.dockerInsecure,
    timeoutMs,
  });
  const top = await client.manifest(deadline);
  const targets = await resolveTargets(image, top, client, settings.platforms, deadline);
  const index = top.kind === 'index' ? { digest: top.digest, attestations: top.attestations } : null;
  if (index) say(`${image.uri} is an index: scanning ${targets.map((t) => t.platform?.name).join(', ')}`);
  const clair = settings.requireCoverage ? new ClairV1(http, settings.clairAddr, timeoutMs) : undefined;
  const scans: TargetScan[] = [];
  for (const target of targets) {
    scans.push(await scanTarget(target, { env, klar: klarOptions(password), deadline, clair, printRaw }));
  }
  reports.write('klar.json', klarReport(scans, index !== null));
  const decideContext = {
    image,
    clairAddr: settings.clairAddr,
    allowlist,
    allowlistSource: text?.source ?? null,
    policy: settings,
  };
  const verdicts = scans.map((scan) => ({ scan, verdict: decideTarget(scan, decideContext) }));
  const overall = combine(image.uri, index, verdicts, settings.maxVulnerabilities);
  reports.write('summary.txt', overall.summary);
  reports.write('junit.xml', overall.junit);
  out.stdout(overall.summary);
  if (overall.vulnerable.length > 0) {
    const counts = index
      ? ` on ${overall.vulnerable.map((v) => `${v.name} (${v.counted})`).join(', ')}`
      : `: ${overall.vulnerable[0].counted}`;
    out.stderr(
      `scan-image: vulnerabilities counted${counts} (at or above ${settings.severity}, not allowed), more than MAX_VULNERABILITIES=${settings.maxVulnerabilities}\n`,
    );
    return EXIT.vulnerable;
  }
  if (overall.notCovered.length > 0) {
    const what = index
      ? overall.notCovered.map((n) => `${n.name} of ${image.uri} (${safe(n.gaps)})`).join(', ')
      : `${image.uri} (${safe(overall.notCovered[0].gaps)})`;
    out.stderr(
      `scan-image: not covered: Clair could not read ${what}, so no finding proves it clean; see docs/operations.md (exit 7)\n`,
    );
    return EXIT.notCovered;
  }
  // Passed: the policy it passed with, for the rescan of what runs (docs/rescans.md).
  const digests = [top.digest, ...targets.map((t) => t.manifest.digest)];
  const at = new Date(ctx.now()).toISOString();
  for (const { key, text: record } of policyRecords(image.uri, digests, settings, text?.text ?? null, at)) {
    reports.writeRecord(key, record);
  }
  return EXIT.passed;
}

/**
 * klar.json: klar's report on the image, or for an index a list of each platform's
 * `{platform, digest, report}` (report null for a platform not sent to klar).
 */
function klarReport(scans: TargetScan[], isIndex: boolean): string {
  if (!isIndex) return scans[0].klarOutput ?? '';
  const reports = scans.map((s) => ({
    platform: s.target.platform?.name,
    digest: s.target.manifest.digest,
    report: s.klarOutput === null ? null : JSON.parse(s.klarOutput),
  }));
  return `${JSON.stringify(reports)}\n`;
}

/**
 * Scans the canary until it shows CANARY_MIN_VULNERABILITIES, retrying within
 * READINESS_TIMEOUT_SECONDS (and the scan's deadline). klar errors are retried too (Clair restarting
 * or still behind a starting load balancer looks the same from here) and the last one is reported;
 * none ever passes. Fails 6.
 */
export async function waitUntilReady(
  env: Env,
  settings: Settings,
  deadline: Deadline,
  klarOptions: (ecr: string | undefined) => Parameters<typeof scanWithKlar>[2],
  ctx: Context,
): Promise<void> {
  const canary = settings.canary;
  const password = await ecrPassword(canary, env, deadline, ctx.printRaw);
  const started = ctx.now();
  const bound = Math.min(settings.readinessTimeoutSeconds, Math.floor(deadline.remainingMs() / 1000));
  for (let attempt = 1; ; attempt++) {
    let problem: string;
    try {
      const scan = await scanWithKlar(canary, env, klarOptions(password), deadline);
      if (scan.ok) {
        const shown = onePerPair(scan.report.findings).length;
        if (shown >= settings.canaryMin) {
          ctx.say(
            `Clair is ready: canary ${canary.uri} showed ${shown} >= ${settings.canaryMin} vulnerabilities (attempt ${attempt})`,
          );
          return;
        }
        problem = `canary ${canary.uri} showed ${shown} < ${settings.canaryMin} vulnerabilities`;
      } else {
        ctx.printRaw(scan.stderr);
        problem = `canary scan failed: ${scan.error}`;
      }
    } catch (error) {
      if (!(error instanceof DeadlineError)) throw error;
      problem = `canary scan failed: ${error.message}`;
    }
    const elapsed = Math.floor((ctx.now() - started) / 1000);
    if (elapsed >= bound) {
      throw new GateError(
        EXIT.notReady,
        `Clair is not ready: ${problem} after ${elapsed} s (${attempt} attempt${attempt === 1 ? '' : 's'})`,
      );
    }
    const pause = Math.min(bound - elapsed, settings.readinessIntervalSeconds);
    ctx.say(`Clair not ready yet (attempt ${attempt}): ${problem}; retrying in ${pause} s`);
    await sleep(pause * 1000);
  }
}
