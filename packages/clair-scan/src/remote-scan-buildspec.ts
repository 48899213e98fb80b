import * as fs from 'fs';
import * as path from 'path';
import { CONTRACT_VARIABLE, SCAN_CONTRACT_VERSION } from './contract';

/** The pipeline-side scan script, embedded into the buildspec at synth time. */
export const REMOTE_SCAN_SCRIPT_PATH: string = path.join(__dirname, '..', 'scripts', 'remote-scan.sh');

// Ends the heredoc below; a script line equal to it would end the embedded script early.
const HEREDOC_END = 'REMOTE_SCAN_SH';

/** Options of {@link remoteScanBuildSpec}. */
export interface RemoteScanBuildSpecOptions {
  /**
   * Seconds to wait for the remote scan before stopping it and failing (SCAN_TIMEOUT_SECONDS);
   * the step's own environment variables override it.
   * @default 5400
   */
  readonly scanTimeoutSeconds?: number;
  /**
   * Seconds between two status reads of the remote build (POLL_INTERVAL_SECONDS).
   * @default 15
   */
  readonly pollIntervalSeconds?: number;
}

/**
 * The one shell command that runs the remote-scan script: the script's text travels inside the
 * command (a quoted heredoc, so nothing in it is expanded), because the pipelines that use this
 * step have their own source repositories, without our script. The contract version the script
 * expects of the scanner is this package's, set on the command line so that nothing overrides it.
 */
export function remoteScanCommand(): string {
  const script = fs.readFileSync(REMOTE_SCAN_SCRIPT_PATH, 'utf8');
  if (script.split('\n').includes(HEREDOC_END)) {
    throw new Error(
      `${REMOTE_SCAN_SCRIPT_PATH} contains the line ${HEREDOC_END}, which ends its heredoc; rename one of them`,
    );
  }
  return [
    'remote_scan="$(mktemp)"',
    `cat > "$remote_scan" <<'${HEREDOC_END}'`,
    script.endsWith('\n') ? script.slice(0, -1) : script,
    HEREDOC_END,
    `${CONTRACT_VARIABLE}=${SCAN_CONTRACT_VERSION} bash "$remote_scan"`,
  ].join('\n');
}

/**
 * The buildspec of the pipeline step that runs a scan (or a readiness check) with the scanner of
 * a target account, through its invoker role. It is self-contained: the script is embedded. The
 * step provides INVOKER_ROLE_ARN, SCANNER_PROJECT_NAME, SCANNER_REGION, and IMAGE_URI or
 * READINESS_ONLY=true, plus any policy overrides, as environment variables.
 */
export function remoteScanBuildSpec(o: RemoteScanBuildSpecOptions = {}): Record<string, unknown> {
  const scanTimeoutSeconds = o.scanTimeoutSeconds ?? 5400;
  const pollIntervalSeconds = o.pollIntervalSeconds ?? 15;
  for (const [name, value] of Object.entries({ scanTimeoutSeconds, pollIntervalSeconds })) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`remoteScanBuildSpec: ${name} must be a whole number of seconds >= 1, got ${value}`);
    }
  }
  return {
    version: '0.2',
    env: {
      shell: 'bash',
      // Defaults only: buildspec variables have the lowest precedence in CodeBuild.
      variables: {
        SCAN_TIMEOUT_SECONDS: String(scanTimeoutSeconds),
        POLL_INTERVAL_SECONDS: String(pollIntervalSeconds),
      },
    },
    phases: {
      build: {
        commands: [remoteScanCommand()],
      },
    },
  };
}
