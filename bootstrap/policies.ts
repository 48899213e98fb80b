/**
 * The two IAM managed policies every account CloudFormation deploys to holds, created once per
 * account before `cdk bootstrap` (`npm run deploy-plan` prints the commands):
 *
 * - the **execution policy**, which bootstrap gives CloudFormation's execution role instead of
 *   `AdministratorAccess`: the services the templates use, and IAM only for the app's own roles,
 *   created with the boundary;
 * - the **permissions boundary**, which bootstrap also puts on that execution role
 *   (`--custom-permissions-boundary`) and which every role the app synthesizes carries: it caps
 *   them at the services the app uses and forbids the IAM escalations (users, unbounded roles,
 *   removing the boundary, editing these two policies or the bootstrap roles).
 *
 * Their names start with `cdk-`, a prefix no role or policy of the app's stacks can take (their
 * generated names start with the stack name), so no grant for the app's resources reaches them.
 */

/** Name of the permissions boundary policy (bootstrap/permissions-boundary.json). */
export const PERMISSIONS_BOUNDARY_NAME = 'cdk-clair-pipeline-boundary';

/** Name of the CloudFormation execution policy (bootstrap/execution-policy.json). */
export const EXECUTION_POLICY_NAME = 'cdk-clair-pipeline-cfn-exec';

/** The boundary's document, relative to the project root. */
export const PERMISSIONS_BOUNDARY_FILE = 'bootstrap/permissions-boundary.json';

/** The execution policy's document, relative to the project root. */
export const EXECUTION_POLICY_FILE = 'bootstrap/execution-policy.json';

/** The ARN of a customer managed policy of `account`. */
export function policyArn(partition: string, account: string, name: string): string {
  return `arn:${partition}:iam::${account}:policy/${name}`;
}
