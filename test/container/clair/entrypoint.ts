import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { REPO_ROOT, runScript } from '../../helpers/run-script';

/** The entrypoint under test. */
export const ENTRYPOINT = path.join(REPO_ROOT, 'container', 'clair', 'docker-entrypoint.sh');

/** The rendered Clair v2 config: every key Clair v2.1.8 reads that the entrypoint sets. */
export interface RenderedConfig {
  readonly clair: {
    readonly database: {
      readonly type: string;
      readonly options: {
        readonly source: string;
        readonly cachesize: number;
        readonly managedatabaselifecycle: boolean;
      };
    };
    readonly api: {
      readonly port: number;
      readonly healthport: number;
      readonly timeout: string;
      readonly paginationkey?: string;
    };
    readonly updater: { readonly interval: string };
    readonly notifier: { readonly attempts: number; readonly renotifyinterval: string };
  };
}

/** What one run of the entrypoint left behind. */
export interface EntrypointRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The rendered config file's text, or undefined when none was written. */
  readonly configText?: string;
  /** The rendered config, parsed as YAML. */
  readonly config?: RenderedConfig;
  /** The config file's permission bits, e.g. 0o600. */
  readonly configMode?: number;
}

/**
 * Runs the entrypoint with dash, a strict POSIX shell like the image's busybox sh, and `command`
 * as its arguments. Its environment is exactly `env`, plus PATH (with `extraPath` in front, for
 * stub commands) and CLAIR_CONFIG in a fresh temporary directory unless `env` sets another.
 * Returns the config written there, if any, and deletes the directory.
 */
export function runEntrypoint(
  env: Record<string, string>,
  command: string[] = ['true'],
  extraPath?: string,
): EntrypointRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clair-entrypoint-'));
  try {
    const configPath = path.join(dir, 'etc', 'config.yaml');
    const PATH = extraPath ? `${extraPath}:${process.env.PATH}` : process.env.PATH;
    const result = runScript('dash', [ENTRYPOINT, ...command], {
      env: { PATH, CLAIR_CONFIG: configPath, ...env },
    });
    const written = fs.existsSync(configPath);
    const configText = written ? fs.readFileSync(configPath, 'utf8') : undefined;
    return {
      ...result,
      configText,
      config: configText === undefined ? undefined : (parse(configText) as RenderedConfig),
      configMode: written ? fs.statSync(configPath).mode & 0o777 : undefined,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
