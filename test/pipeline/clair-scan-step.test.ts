import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ClairScanRole, ClairScanStep } from '@clair-pipeline/scan';

const scanner = { account: '222222222222', region: 'eu-west-1' };

function stack(): Stack {
  return new Stack(new App(), 'Team', { env: { account: '444444444444', region: 'eu-west-1' } });
}

test('accepts a ClairScanRole, named under the prefix the invoker trusts', () => {
  const role = new ClairScanRole(stack(), 'ScanRole');
  expect(Stack.of(role).resolve((role.node.defaultChild as iam.CfnRole).roleName)).toMatch(/^clair-scan-TeamScanRole/);
  expect(() => new ClairScanStep('Scan', { scanner, role })).not.toThrow();
});

test('accepts an imported role named under the prefix', () => {
  const role = iam.Role.fromRoleName(stack(), 'Imported', 'clair-scan-team-app');
  expect(() => new ClairScanStep('Scan', { scanner, role })).not.toThrow();
});

test.each([
  [
    'a role with a generated name',
    (s: Stack) => new iam.Role(s, 'R', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') }),
  ],
  [
    'a role named outside the prefix',
    (s: Stack) =>
      new iam.Role(s, 'R', { roleName: 'team-scan', assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') }),
  ],
  ['an imported role named outside the prefix', (s: Stack) => iam.Role.fromRoleName(s, 'R', 'team-scan')],
])('rejects %s: the invoker role would not trust it', (_name, makeRole) => {
  expect(() => new ClairScanStep('Scan', { scanner, role: makeRole(stack()) })).toThrow(
    /ClairScanStep Scan: role must be named 'clair-scan-…'/,
  );
});
