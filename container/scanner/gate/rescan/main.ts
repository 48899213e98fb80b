import * as fs from 'fs';
import { NO_ALLOWLIST, allowlistText, parseAllowlist } from '../allowlist';
import { Deadline } from '../deadline';
import { ecrPassword } from '../ecr';
import { EXIT, ExitCode, exitFor } from '../errors';
import { HttpClient, proxySettings } from '../http';
import { Output, waitUntilReady } from '../main';
import { registerCredentials } from '../registry';
import { Env } from '../settings';
import { escapeControls, redact, safe } from '../text';
import { RescanAws } from './aws';
import { carryForward, compare, notification } from './changes';
import { listRecords, readRecords } from './deployed-policies';
import { syncSecurityHub } from './hub-sync';
import { targets } from './inventory';
import { JudgingPolicy, describePolicy, selectPolicies } from './policies';
import { notify, putMetrics } from './publish';
import { ImageResult, ScanContext, rescanImage } from './scan';
import { RescanSettings, readRescanSettings } from './settings';
import { loadState, saveState } from './state';

/**
 * rescan-images, the rescan of what runs (docs/rescans.md): proves Clair ready with the gate's
 * canary, lists the images ECS runs in this account and region (by digest) and those the
 * configuration lists, rescans each with the gate's own steps by every policy it was deployed with
 * (the scanner's deployed-policy records; without one, the environment's default) and the
 * environment's allowlist, compares with the previous rescan (kept in S3, SSE-KMS), notifies the
 * environment's topic of what changed only, brings Security Hub in line when enabled, and puts the
 * metrics the alarms watch.
 *
 * Exit codes: 0 every image rescanned (failing images are reported, not an error) · 2 bad input ·
 * 3 bad allowlist · 5 an image could not be rescanned, a deployed-policy record could not be used,
 * an AWS call or Security Hub failed, or the deadline passed · 6 Clair not ready · 70 internal
 * error. Whenever the rescan could not run, it puts RescanFailed = 1 and no count of failing
 * images, so it never reads as "all clean".
 */
export async function rescan(env: Env, out: Output, now: () => number = Date.now): Promise<ExitCode> {
  const say = (line: string) => out.stdout(`rescan-images: ${safe(line)}\n`);
  let settings: RescanSettings | undefined;
  let aws: RescanAws | undefined;
  try {
    settings = readRescanSettings(env, new Date(now()));
    const deadline = new Deadline(settings.gate.deadlineSeconds, now);
    // The AWS calls after the images (notification, state, metrics) get a few minutes more, still
    // inside the build's timeout (SCAN_DEADLINE_SECONDS is 5 minutes short of it).
    aws = new RescanAws(settings.region, new Deadline(settings.gate.deadlineSeconds + AWS_MARGIN_SECONDS, now));
    return await run(env, settings, deadline, aws, out, say, now);
  } catch (error) {
    const { code, message } = exitFor(error);
    out.stderr(`rescan-images: ${escapeControls(redact(message))}\n`);
    if (settings && aws && code !== EXIT.badInput) {
      await putMetrics(aws, settings.metricNamespace, settings.environment, { RescanFailed: 1 }).catch((e) =>
        out.stderr(
          `rescan-images: could not put the RescanFailed metric either: ${escapeControls(redact(e.message))}\n`,
        ),
      );
    }
    return code;
  } finally {
    aws?.close();
  }
}

/** Seconds the closing AWS calls may run past SCAN_DEADLINE_SECONDS. */
const AWS_MARGIN_SECONDS = 180;

/** Runs `fn` on every item, at most `limit` at a time; the results in the items' order. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const describe = (r: ImageResult): string[] => [
  r.status === 'passed'
    ? `passed ${r.image} (${r.where.join(', ')})`
    : r.status === 'failing'
      ? `FAILING ${r.image} (${r.where.join(', ')}): ${r.reason}${r.counted.length ? `: ${r.counted.join(', ')}` : ''}; fails ${(r.failedPolicies ?? []).join(' and ')}`
      : `NOT RESCANNED ${r.image} (${r.where.join(', ')}): ${r.reason}`,
  ...(r.policyProblems ?? []).map(
    (p) => `BAD POLICY RECORD for ${r.image}, judged by the environment's default policy too: ${p}`,
  ),
];

async function run(
  env: Env,
  settings: RescanSettings,
  deadline: Deadline,
  aws: RescanAws,
  out: Output,
  say: (line: string) => void,
  now: () => number,
): Promise<ExitCode> {
  const gate = settings.gate;
  const noProxy = [env.NO_PROXY, gate.clairHost].filter((v) => v).join(',');
  const klarOptions = (ecrPassword: string | undefined) => ({
    clairTimeoutMinutes: gate.clairTimeoutMinutes,
    ecrPassword,
    noProxy,
  });
  const printRaw = (text: string) => {
    for (const line of text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-20))
      out.stderr(`${safe(line)}\n`);
  };
  registerCredentials(env);
  const text = allowlistText(env, (file) => fs.readFileSync(file));
  const allowlist = text ? parseAllowlist(text.text, text.source, gate.today) : NO_ALLOWLIST;

  await waitUntilReady(env, gate, deadline, klarOptions, { setReports: () => undefined, say, printRaw, out, now });
  const location = { bucket: settings.stateBucket, key: settings.stateKey, kmsKey: settings.stateKmsKey };
  const previous = await loadState(aws, location);
  const records = await listRecords(aws, settings.stateBucket);
  const list = await targets(settings.ecs ? aws : undefined, settings.listed);
  say(`rescanning ${list.length} image${list.length === 1 ? '' : 's'}, ${settings.concurrency} at a time`);
  const environment = { allowlist, source: text?.source ?? null };
  const fallback: JudgingPolicy = {
    name: `the environment's default policy (${describePolicy(gate)})`,
    policy: gate,
    requireCoverage: gate.requireCoverage,
    allowlist,
    allowlistSource: environment.source,
  };
  const passwords = new Map<string, Promise<string | undefined>>();
  const ctx: ScanContext = {
    env,
    settings: gate,
    policies: async (digest) =>
      selectPolicies(
        await readRecords(aws, settings.stateBucket, records.get(digest) ?? []),
        digest,
        fallback,
        environment,
        gate.today,
      ),
    deadline,
    http: new HttpClient(deadline, proxySettings({ ...env, NO_PROXY: noProxy })),
    klarOptions,
    password: (image) => {
      if (!passwords.has(image.registry)) passwords.set(image.registry, ecrPassword(image, env, deadline, printRaw));
      return passwords.get(image.registry)!;
    },
  };
  const results = carryForward(
    await pool(list, settings.concurrency, (target) => rescanImage(target, ctx)),
    previous?.images ?? [],
  );
  for (const r of results) describe(r).forEach(say);

  const at = new Date(now()).toISOString();
  const changes = compare(previous?.images ?? [], results);
  if (changes.length > 0) {
    const { subject, message } = notification(settings.environment, at, changes);
    await notify(aws, settings.topicArn, subject, message);
    say(`notified ${settings.topicArn}: ${subject}`);
  } else {
    say('nothing changed since the previous rescan; no notification');
  }
  let imported = previous?.imported ?? [];
  let hubFailed = 0;
  if (settings.securityHub) {
    const sync = await syncSecurityHub(aws, settings, results, imported, at, {
      backoffMs: settings.securityHubBackoffMs,
      say,
    });
    imported = sync.imported;
    hubFailed = sync.failed.length;
    say(`Security Hub: ${sync.created} findings new, ${sync.archived} archived, ${sync.failed.length} failed`);
    for (const f of sync.failed) {
      out.stderr(
        `rescan-images: Security Hub refused finding ${safe(f.Id)}: ${safe(f.ErrorCode)}: ${safe(f.ErrorMessage)}\n`,
      );
    }
  }
  await saveState(aws, location, { version: 1, at, images: results, imported });

  const failing = results.filter((r) => r.status === 'failing').length;
  const notScanned = results.filter((r) => r.status === 'not-scanned').length;
  const badRecords = results.reduce((n, r) => n + (r.policyProblems?.length ?? 0), 0);
  const incomplete = notScanned > 0 || hubFailed > 0 || badRecords > 0;
  await putMetrics(aws, settings.metricNamespace, settings.environment, {
    RunningImagesFailingPolicy: failing,
    ImagesNotScanned: notScanned,
    RescanFailed: hubFailed > 0 || badRecords > 0 ? 1 : 0,
  });
  say(
    `${results.length} images: ${failing} failing the policy, ${notScanned} not rescanned, ${results.length - failing - notScanned} passed`,
  );
  if (incomplete) {
    out.stderr(
      `rescan-images: incomplete: ${notScanned} image${notScanned === 1 ? '' : 's'} not rescanned, ${hubFailed} Security Hub finding${hubFailed === 1 ? '' : 's'} not imported, ${badRecords} deployed-policy record${badRecords === 1 ? '' : 's'} not usable\n`,
    );
    return EXIT.failed;
  }
  return EXIT.passed;
}
