import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { runScripts } from '../../helpers/run-batch';
import { REPO_ROOT } from '../../helpers/run-script';

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

/** One run of the entrypoint for {@link runEntrypoints}. */
export interface EntrypointCase {
  /** Its environment, besides PATH and CLAIR_CONFIG, which it may set too. */
  readonly env: Readonly<Record<string, string>>;
  /** Its arguments. @default ['true'], which only renders the config */
  readonly command?: readonly string[];
  /** A directory put in front of PATH, for stub commands. */
  readonly extraPath?: string;
}

/**
 * Runs the entrypoint once for each case, with dash, a strict POSIX shell like the image's busybox
 * sh. Its environment is exactly the case's `env`, plus TMPDIR, PATH (with `extraPath` in front)
 * and, unless `env` sets another, CLAIR_CONFIG in a directory of its own that exists (a test that
 * needs the entrypoint to make the directory sets CLAIR_CONFIG). Returns the config written there,
 * if any, and deletes the directories. All runs start from one shell (runScripts).
 */
export function runEntrypoints(cases: readonly EntrypointCase[]): EntrypointRun[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clair-entrypoint-'));
  try {
    const configPaths = cases.map((_, i) => {
      fs.mkdirSync(path.join(dir, `${i}`));
      return path.join(dir, `${i}`, 'config.yaml');
    });
    const results = runScripts(
      cases.map((c, i) => ({
        cmd: 'dash',
        args: [ENTRYPOINT, ...(c.command ?? ['true'])],
        env: {
          PATH: c.extraPath ? `${c.extraPath}:${process.env.PATH}` : (process.env.PATH ?? ''),
          CLAIR_CONFIG: configPaths[i],
          ...c.env,
        },
      })),
    );
    return results.map((result, i) => {
      const written = fs.existsSync(configPaths[i]);
      const configText = written ? fs.readFileSync(configPaths[i], 'utf8') : undefined;
      return {
        ...result,
        configText,
        config: configText === undefined ? undefined : (parse(configText) as RenderedConfig),
        configMode: written ? fs.statSync(configPaths[i]).mode & 0o777 : undefined,
      };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
