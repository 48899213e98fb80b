/**
 * `npm run scanners [-- --json] [--cdk-json FILE]`: the directory of scanners, what another team
 * needs to call one (docs/other-teams.md): for each environment of cdk.json, read and validated
 * by the config reader, its account, region, scanner project, invoker role, the scanner's build
 * role (for repository grants), the accounts it trusts and pulls from, and the contract version.
 * A table by default; `--json` for machines. Bad input: one message and exit 2.
 */
import * as fs from 'fs';
import { invokerRoleName, SCAN_CONTRACT_VERSION, SCANNER_PROJECT_NAME, scannerRoleName } from '@clair-pipeline/scan';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { ConfigError } from '../config/config-reader';
import { CONTEXT_KEY, parseConfig, PipelineConfig } from '../config/config';

/** One environment's scanner, as a team needs it. */
export interface ScannerEntry {
  readonly environment: string;
  readonly account: string;
  readonly region: string;
  readonly scannerProject: string;
  readonly invokerRoleArn: string;
  readonly scannerRoleArn: string;
  /** Accounts whose `clair-scan-…` roles may assume the invoker role. */
  readonly invokerAccounts: string[];
  /** Accounts whose repositories the scanner may pull from, once a repository grants it. */
  readonly pullAccounts: string[];
  readonly contractVersion: number;
}

/** The scanners of a validated configuration, in promotion order. */
export function scannerDirectory(config: PipelineConfig): ScannerEntry[] {
  return config.environments.map((env) => {
    const partition = RegionInfo.get(env.region).partition ?? 'aws';
    const role = (name: string) => `arn:${partition}:iam::${env.account}:role/${name}`;
    return {
      environment: env.name,
      account: env.account,
      region: env.region,
      scannerProject: SCANNER_PROJECT_NAME,
      invokerRoleArn: role(invokerRoleName(env.region)),
      scannerRoleArn: role(scannerRoleName(env.region)),
      invokerAccounts: [config.pipeline.account, ...env.scan.invokerAccounts],
      pullAccounts: env.scan.pullAccounts,
      contractVersion: SCAN_CONTRACT_VERSION,
    };
  });
}

/** The directory as a plain-text table, one scanner a row. */
export function renderTable(entries: readonly ScannerEntry[]): string {
  const rows = [
    ['environment', 'account', 'region', 'project', 'invoker role', 'contract', 'invoker accounts', 'pull accounts'],
    ...entries.map((e) => [
      e.environment,
      e.account,
      e.region,
      e.scannerProject,
      e.invokerRoleArn,
      String(e.contractVersion),
      e.invokerAccounts.join(','),
      e.pullAccounts.join(',') || '-',
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const USAGE = 'usage: npm run scanners [-- --json] [--cdk-json FILE]';

/** Runs the command; returns the exit status. Output to stdout, messages to stderr. */
export function main(args: readonly string[]): number {
  let json = false;
  let file = 'cdk.json';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--json') json = true;
    else if (args[i] === '--cdk-json' && args[i + 1] !== undefined) file = args[++i];
    else return fail(`unexpected argument '${args[i]}'\n${USAGE}`);
  }
  let config: PipelineConfig;
  try {
    const cdkJson = JSON.parse(fs.readFileSync(file, 'utf8'));
    config = parseConfig((cdkJson as { context?: Record<string, unknown> })?.context?.[CONTEXT_KEY]);
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message);
    return fail(`cannot read ${file}: ${(error as Error).message}`);
  }
  const entries = scannerDirectory(config);
  console.log(json ? JSON.stringify(entries, null, 2) : renderTable(entries));
  if (config.placeholders.length > 0) {
    console.error(`scanners: placeholder values, not deployable yet: ${config.placeholders.join(', ')}`);
  }
  return 0;
}

function fail(message: string): number {
  console.error(`scanners: ${message}`);
  return 2;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
