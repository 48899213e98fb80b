import { scannerRoleName, SCANNER_PULL_ACTIONS } from '@clair-pipeline/scan';
import { Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledge } from '../../common/acknowledge';

/**
 * Lets the scanner scan images in place in the accounts its environment admits
 * (`scan.pullAccounts`): its build role gets a fixed name (`clair-scanner-build-<region>`), which a
 * team's repository policy names, and may pull from those accounts' repositories in its region.
 * This side alone grants nothing: ECR also requires the repository's own policy to grant the role,
 * so the scanner reads exactly the repositories whose owners granted it (`grantScannerPull`, or
 * `clair-scan pull-statement` for the CDK asset repository).
 */
export function allowCrossAccountPull(project: codebuild.Project, pullAccounts: readonly string[]): void {
  const stack = Stack.of(project);
  const role = project.role as iam.Role;
  (role.node.defaultChild as iam.CfnRole).roleName = scannerRoleName(stack.region);
  if (pullAccounts.length === 0) return;
  const repositories = pullAccounts.map((account) =>
    stack.formatArn({ service: 'ecr', account, resource: 'repository', resourceName: '*' }),
  );
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: SCANNER_PULL_ACTIONS, resources: repositories }));
  pullAccounts.forEach((account, i) => {
    // cdk-nag names the resource as synthesized: literal in a stack with a concrete environment
    // (partition literals are on), with CloudFormation's pseudo parameters otherwise.
    const shown = Token.isUnresolved(repositories[i])
      ? `arn:<AWS::Partition>:ecr:<AWS::Region>:${account}:repository/*`
      : repositories[i];
    acknowledge(
      role.node.findChild('DefaultPolicy'),
      `AwsSolutions::AwsSolutions-IAM5[Resource::${shown}]`,
      `The scanner pulls the images of the accounts scan.pullAccounts admits; a repository there is readable only when its own policy grants this role (the owner chooses which), so the identity side names the account.`,
    );
  });
}
