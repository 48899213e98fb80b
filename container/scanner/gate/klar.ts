import { Deadline } from './deadline';
import { EXIT, GateError } from './errors';
import { TooLargeError, formatBytes } from './http';
import { ImageRef } from './image-ref';
import { KlarReport, readKlarReport } from './findings';
import { run } from './process';

/** The largest report read from klar (the same bound as Clair's answer it is made of). */
export const MAX_KLAR_REPORT_BYTES = 32 * 1024 * 1024;
/** klar's own threshold, out of reach: its exit code then only reports errors; the gate decides. */
const KLAR_THRESHOLD_NEVER_REACHED = '1000000000';

/** klar's settings for one scan. */
export interface KlarOptions {
  readonly clairTimeoutMinutes: number;
  /** The ECR password for the image's registry, or none (then DOCKER_USER and friends pass through). */
  readonly ecrPassword?: string;
  /** NO_PROXY with Clair's host: Clair is reached directly, never through a proxy klar would honour. */
  readonly noProxy: string;
}

/** A scan klar finished, or why not (the caller decides whether to retry). */
export type KlarOutcome =
  | { readonly ok: true; readonly report: KlarReport; readonly stdout: string }
  | { readonly ok: false; readonly error: string; readonly stderr: string; readonly stdout: string };

/**
 * klar's environment: the gate's, without what would change klar's report (a whitelist, unfixed
 * filtering, another format) or print credentials (KLAR_TRACE dumps Authorization headers,
 * reference/klar-and-clair-v2.md), asking for every severity in JSON.
 */
export function klarEnv(env: Readonly<Record<string, string | undefined>>, opts: KlarOptions): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !['KLAR_TRACE', 'WHITELIST_FILE', 'IGNORE_UNFIXED', 'FORMAT_OUTPUT'].includes(key))
      out[key] = value;
  }
  Object.assign(out, {
    CLAIR_OUTPUT: 'Unknown',
    CLAIR_THRESHOLD: KLAR_THRESHOLD_NEVER_REACHED,
    JSON_OUTPUT: 'true',
    CLAIR_TIMEOUT: String(opts.clairTimeoutMinutes),
    DOCKER_TIMEOUT: String(opts.clairTimeoutMinutes),
    NO_PROXY: opts.noProxy,
    no_proxy: opts.noProxy,
  });
  if (opts.ecrPassword) {
    delete out.DOCKER_TOKEN;
    Object.assign(out, { DOCKER_USER: 'AWS', DOCKER_PASSWORD: opts.ecrPassword });
  }
  return out;
}

/**
 * The cause of a klar failure, from its standard error: a panic says klar crashed; a Clair failure
 * names Clair's answer (klar's `Failed to analyze using API v1: …` line, not its closing `Failed to
 * analyze, exiting`); else its last line (reference/hostile-inputs.md, D10).
 */
export function klarCause(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  const panic = lines.find((line) => line.startsWith('panic:'));
  if (panic) return `klar crashed: ${panic}`;
  const clair = [...lines].reverse().find((line) => line.startsWith('Failed to analyze using API v1:'));
  return clair ?? lines[lines.length - 1] ?? 'no message';
}

/** Runs klar on an image in JSON mode; klar's exit 1 (over its threshold) is a report too. */
export async function scanWithKlar(
  image: ImageRef,
  env: Readonly<Record<string, string | undefined>>,
  opts: KlarOptions,
  deadline: Deadline,
): Promise<KlarOutcome> {
  let result;
  try {
    result = await run('klar', [image.uri], klarEnv(env, opts), {
      deadline,
      maxStdout: MAX_KLAR_REPORT_BYTES,
      what: `klar scanned ${image.uri}`,
    });
  } catch (error) {
    if (error instanceof TooLargeError) {
      throw new GateError(
        EXIT.failed,
        `klar's report on ${image.uri} is larger than the gate's cap of ${formatBytes(MAX_KLAR_REPORT_BYTES)}`,
      );
    }
    if (
      (error as NodeJS.ErrnoException).code !== undefined &&
      (error as NodeJS.ErrnoException).syscall?.startsWith('spawn')
    ) {
      throw new GateError(EXIT.failed, `cannot run klar: ${(error as Error).message}`);
    }
    throw error;
  }
  const { status, stdout, stderr } = result;
  if (status === null || status > 1) {
    const how = status === null ? 'was killed' : `exited ${status}`;
    return { ok: false, error: `klar ${how} on ${image.uri}: ${klarCause(stderr)}`, stderr, stdout };
  }
  const report = readKlarReport(stdout);
  if (!report) {
    return {
      ok: false,
      error: `klar exited ${status} on ${image.uri} without a JSON report with at least one layer`,
      stderr,
      stdout,
    };
  }
  return { ok: true, report, stdout };
}
