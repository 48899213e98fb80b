import { Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { scannerRoleName } from './contract';

/** The account and region of a scanner (an environment that runs a Clair stage). */
export interface ScannerEnvironment {
  /** The scanner's account. */
  readonly account: string;
  /** The scanner's region. */
  readonly region: string;
}

/** The ECR actions a scan needs on the repository of the image it scans. */
export const SCANNER_PULL_ACTIONS = [
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
];

/**
 * The ECR repository policy statement that lets the scanner of one environment pull the images of
 * a repository, as JSON. It names the scanner account but admits only the scanner's build role
 * (`aws:PrincipalArn`), so no other principal of that account gains anything; the role is named
 * by ARN in a condition rather than as the principal, so the grant survives the role being
 * replaced. The Sid is the same for the same scanner, so adding it again replaces it.
 */
export function scannerPullStatementJson(
  scanner: ScannerEnvironment,
  partition: string = 'aws',
): Record<string, unknown> {
  return {
    Sid: `ClairScanner${scanner.account}${scanner.region.replace(/-/g, '')}`,
    Effect: 'Allow',
    Principal: { AWS: `arn:${partition}:iam::${scanner.account}:root` },
    Action: SCANNER_PULL_ACTIONS,
    Condition: {
      ArnEquals: {
        'aws:PrincipalArn': `arn:${partition}:iam::${scanner.account}:role/${scannerRoleName(scanner.region)}`,
      },
    },
  };
}

/** An IAM policy document, as `aws ecr get-repository-policy` gives it. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: unknown;
}

/**
 * A repository policy (the current one, or none) with the scanner's pull statement added, or
 * replacing the statement of the same Sid: what `clair-scan pull-policy` prints for
 * `aws ecr set-repository-policy`. Every other statement is kept.
 */
export function withScannerPull(
  policy: PolicyDocument | undefined,
  scanner: ScannerEnvironment,
  partition: string = 'aws',
): PolicyDocument {
  const statement = scannerPullStatementJson(scanner, partition);
  const others = [policy?.Statement ?? []].flat().filter((s: any) => s?.Sid !== statement.Sid);
  return { Version: policy?.Version ?? '2012-10-17', ...policy, Statement: [...others, statement] };
}

/**
 * Lets the scanner of an environment pull the images of a repository defined in your CDK app (the
 * CDK asset repository belongs to the bootstrap stack: grant it with `clair-scan pull-policy`,
 * see the README). The scanner must also admit your
 * account (its environment's `scan.pullAccounts`).
 */
export function grantScannerPull(repository: ecr.IRepository, scanner: ScannerEnvironment): void {
  const statement = iam.PolicyStatement.fromJson(scannerPullStatementJson(scanner, Stack.of(repository).partition));
  if (!repository.addToResourcePolicy(statement).statementAdded) {
    throw new Error(
      `grantScannerPull: ${repository.node.path} is an imported repository, whose policy CDK cannot change; grant the scanner with 'clair-scan pull-policy' and 'aws ecr set-repository-policy' instead`,
    );
  }
}
