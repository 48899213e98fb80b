import * as fs from 'fs';
import * as path from 'path';
import { defaultStacks } from '../helpers/default-assembly';
import { REPO_ROOT } from '../helpers/run-script';

const policy = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'bootstrap', 'execution-policy.json'), 'utf8'));
const allowed: string[] = policy.Statement.filter((s: any) => s.Effect === 'Allow').flatMap((s: any) => s.Action);

/** IAM service prefixes whose name differs from the CloudFormation namespace. */
const IAM_PREFIX: Record<string, string> = {
  ElasticLoadBalancingV2: 'elasticloadbalancing',
  ApplicationAutoScaling: 'application-autoscaling',
  CodeStarNotifications: 'codestar-notifications',
  CodeStarConnections: 'codestar-connections',
};

/** Every resource type in the default app's templates. */
function resourceTypes(): Set<string> {
  return new Set(
    defaultStacks().flatMap(({ templateFile }) =>
      Object.values<any>(JSON.parse(fs.readFileSync(templateFile, 'utf8')).Resources ?? {}).map(
        (resource) => resource.Type,
      ),
    ),
  );
}

/** The IAM prefix CloudFormation needs to create a resource type; custom resources run on Lambda. */
function servicePrefix(type: string): string | undefined {
  if (type === 'AWS::CDK::Metadata') return undefined;
  if (type.startsWith('Custom::')) return 'lambda';
  const namespace = type.split('::')[1];
  return IAM_PREFIX[namespace] ?? namespace.toLowerCase();
}

describe('the scoped CloudFormation execution policy (bootstrap/execution-policy.json)', () => {
  test('allows every service whose resources the app deploys', () => {
    const needed = [...resourceTypes()].map(servicePrefix).filter((p): p is string => !!p);
    expect(needed.length).toBeGreaterThan(10);
    const missing = [...new Set(needed)].filter((prefix) => !allowed.includes(`${prefix}:*`));
    expect(missing).toEqual([]);
  });

  test('is not AdministratorAccess and forbids long-lived IAM credentials', () => {
    expect(allowed).not.toContain('*');
    const denied = policy.Statement.filter((s: any) => s.Effect === 'Deny').flatMap((s: any) => s.Action);
    expect(denied).toEqual(expect.arrayContaining(['iam:CreateUser', 'iam:CreateAccessKey']));
  });
});
