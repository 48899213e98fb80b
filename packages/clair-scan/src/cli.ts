#!/usr/bin/env node
/**
 * `clair-scan`: the scan gate for any CI, and the repository grant, without CDK.
 *
 *   clair-scan remote-scan
 *     runs the remote-scan script (bash, aws CLI v2, jq) with this package's contract version;
 *     configured by its environment (INVOKER_ROLE_ARN, SCANNER_PROJECT_NAME, SCANNER_REGION,
 *     IMAGE_URI, …), exactly as the buildspec of a ClairScanStep runs it.
 *   clair-scan pull-policy --scanner-account ACCOUNT --scanner-region REGION [--policy-file FILE] [--partition aws]
 *     prints the ECR repository policy that lets that scanner pull a repository's images: the
 *     policy in FILE (the repository's current one) with the scanner's statement added, or
 *     replaced if it is there; for `aws ecr set-repository-policy`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { CONTRACT_VARIABLE, SCAN_CONTRACT_VERSION } from './contract';
import { REMOTE_SCAN_SCRIPT_PATH } from './remote-scan-buildspec';
import { withScannerPull } from './scanner-pull';

const USAGE = `usage: clair-scan remote-scan
       clair-scan pull-policy --scanner-account ACCOUNT --scanner-region REGION [--policy-file FILE] [--partition aws]`;

/** Runs one command; returns the exit status. */
export function main(args: readonly string[]): number {
  const [command, ...rest] = args;
  if (command === 'remote-scan' && rest.length === 0) {
    const env = { ...process.env, [CONTRACT_VARIABLE]: String(SCAN_CONTRACT_VERSION) };
    const result = spawnSync('bash', [REMOTE_SCAN_SCRIPT_PATH], { stdio: 'inherit', env });
    if (result.error) return fail(`cannot run bash: ${result.error.message}`);
    return result.status ?? 1;
  }
  if (command === 'pull-policy') {
    const options = parseOptions(rest, ['scanner-account', 'scanner-region', 'policy-file', 'partition']);
    if (typeof options === 'string') return fail(options);
    const account = options['scanner-account'] ?? '';
    const region = options['scanner-region'] ?? '';
    const partition = options.partition ?? 'aws';
    if (!/^\d{12}$/.test(account)) return fail(`--scanner-account must be a 12-digit AWS account id, got '${account}'`);
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))
      return fail(`--scanner-region must be an AWS region, got '${region}'`);
    if (!/^aws(-[a-z]+)*$/.test(partition)) return fail(`--partition must be an AWS partition, got '${partition}'`);
    const file = options['policy-file'];
    let current: unknown;
    try {
      current = file === undefined ? undefined : JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      return fail(
        `--policy-file must name a file holding a JSON policy (aws ecr get-repository-policy --query policyText --output text): ${(error as Error).message}`,
      );
    }
    if (current !== undefined && !isPolicy(current)) {
      return fail(`--policy-file ${file} does not hold an IAM policy (an object with a Statement)`);
    }
    console.log(JSON.stringify(withScannerPull(current, { account, region }, partition), null, 2));
    return 0;
  }
  return fail(`unknown command '${args.join(' ')}'`);
}

/** `--name value` pairs of the known names, or a message saying what is wrong. */
function parseOptions(args: readonly string[], known: readonly string[]): Record<string, string> | string {
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i].replace(/^--/, '');
    if (!args[i].startsWith('--') || !known.includes(name) || args[i + 1] === undefined) {
      return `unexpected argument '${args[i]}'${args[i + 1] === undefined ? ' (without a value)' : ''}`;
    }
    options[name] = args[i + 1];
  }
  return options;
}

function isPolicy(value: unknown): value is { Statement: unknown } {
  return typeof value === 'object' && value !== null && 'Statement' in value;
}

function fail(message: string): number {
  console.error(`clair-scan: ${message}\n${USAGE}`);
  return 2;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
