/**
 * What CloudFormation may do in an account bootstrapped as `npm run deploy-plan` says: its
 * execution role has the execution policy (bootstrap/execution-policy.json) and carries the
 * permissions boundary (bootstrap/permissions-boundary.json), which every role of the app carries
 * too. Proven with the access-path evaluator on the templates of a fixture configuration (four
 * environments, three accounts, three regions): every role the templates declare can be created
 * and given its policies, the boundary leaves the roles what they need, and each escalation a
 * reviewer would try is denied, by both policies where both are meant to deny it.
 */
import * as fs from 'fs';
import {
  EXECUTION_POLICY_FILE,
  EXECUTION_POLICY_NAME,
  PERMISSIONS_BOUNDARY_FILE,
  PERMISSIONS_BOUNDARY_NAME,
  policyArn,
} from '../../bootstrap/policies';
import { readBootstrapPolicy } from '../access-paths/bootstrap-policies';
import { CloudModel, ModelResource, PARTITION } from '../access-paths/cloud-model';
import { Caller, decide, Decision, sessionOf, withAdminGrant } from '../access-paths/evaluate';
import { actionsMatching } from '../access-paths/iam-data';
import { defaultStacks, ungatedAssemblyDir } from '../helpers/default-assembly';
import { PIPELINE_ACCOUNT } from '../helpers/deployment-fixtures';

const EXECUTION_POLICY = readBootstrapPolicy(EXECUTION_POLICY_FILE);
const BOUNDARY = readBootstrapPolicy(PERMISSIONS_BOUNDARY_FILE);

// The fixture's assembly, synthesized once per run without the gates (test/helpers/default-assembly.ts).
const stacks = defaultStacks(ungatedAssemblyDir('manyAccountsAndRegions'));
const model = CloudModel.ofStacks(stacks);
const roles = model.resources('AWS::IAM::Role');
const managedPolicies = model.resources('AWS::IAM::ManagedPolicy');

const boundaryArn = (account: string) => policyArn(PARTITION, account, PERMISSIONS_BOUNDARY_NAME);
const executionRoleArn = (account: string, region: string) =>
  `arn:${PARTITION}:iam::${account}:role/cdk-hnb659fds-cfn-exec-role-${account}-${region}`;

/** Who asks: CloudFormation's execution role as bootstrapped, or one of its two policies alone. */
type Layer = 'both' | 'execution policy' | 'boundary';

/**
 * A session of CloudFormation's execution role in an account: its execution policy and its
 * boundary; or, to prove each policy alone, the execution policy without the boundary, or the
 * boundary around an administrator's grant.
 */
function cloudFormation(account: string, layer: Layer = 'both', action = '*'): Caller {
  const session = sessionOf(executionRoleArn(account, 'eu-west-1'), layer === 'boundary' ? [] : [EXECUTION_POLICY]);
  const caller = layer === 'boundary' ? withAdminGrant(session, action) : session;
  return layer === 'execution policy' ? caller : { ...caller, permissionsBoundary: BOUNDARY };
}

/** One IAM request of CloudFormation's, in an account. */
interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string>;
}

function ask(account: string, request: IamRequest, layer: Layer = 'both'): Promise<Decision> {
  return decide({
    caller: cloudFormation(account, layer, request.action),
    action: request.action,
    resource: request.resource,
    resourceAccount: account,
    context: request.context,
  });
}

/** The managed policies a role gets: AWS's by ARN, and the app's own that name it in `Roles`. */
function managedPolicyArnsOf(role: ModelResource): string[] {
  const byArn: string[] = model.resolve(role.stack, role.props.ManagedPolicyArns ?? []);
  const own = managedPolicies
    .filter((policy) => policy.stack === role.stack)
    .filter((policy) => (policy.props.Roles ?? []).some((ref: any) => ref?.Ref === role.logicalId))
    .map((policy) => model.arnOf(policy));
  return [...byArn, ...own];
}

/** Everything CloudFormation does to a role over its life: create, pass, tag, give policies, change, delete. */
function lifeOf(role: ModelResource): IamRequest[] {
  const resource = model.arnOf(role);
  const bounded = { 'iam:PermissionsBoundary': model.resolve(role.stack, role.props.PermissionsBoundary) };
  const inline =
    (role.props.Policies ?? []).length > 0 ||
    model
      .resources('AWS::IAM::Policy', [role.stack])
      .some((policy) => (policy.props.Roles ?? []).some((ref: any) => ref?.Ref === role.logicalId));
  return [
    { action: 'iam:CreateRole', resource, context: bounded },
    { action: 'iam:PassRole', resource },
    { action: 'iam:TagRole', resource },
    { action: 'iam:UpdateAssumeRolePolicy', resource, context: bounded },
    ...(inline
      ? [
          { action: 'iam:PutRolePolicy', resource, context: bounded },
          { action: 'iam:DeleteRolePolicy', resource, context: bounded },
        ]
      : []),
    ...managedPolicyArnsOf(role).flatMap((policy) => [
      { action: 'iam:AttachRolePolicy', resource, context: { ...bounded, 'iam:PolicyARN': policy } },
      { action: 'iam:DetachRolePolicy', resource, context: { ...bounded, 'iam:PolicyARN': policy } },
    ]),
    { action: 'iam:DeleteRole', resource, context: bounded },
  ];
}

const describeRole = (role: ModelResource) => `${role.stack.displayPath} ${role.logicalId}`;

describe('every role of every template', () => {
  test('the walk finds the roles of every stage, the pipeline and CDK Pipelines', () => {
    const stages = new Set(roles.map((role) => role.stack.displayPath.split('/').slice(0, 2).join('/')));
    const environments = ['Dev', 'Qa', 'Staging', 'Prod'];
    const withSampleApp = ['Dev', 'Staging', 'Prod']; // the fixture's qa has its sample app off
    expect(stages).toEqual(
      new Set([
        'ClairPipeline',
        ...environments.map((name) => `ClairPipeline/Clair-${name}`),
        ...withSampleApp.map((name) => `ClairPipeline/SampleApp-${name}`),
      ]),
    );
    expect(roles.length).toBeGreaterThan(40);
    expect(roles.map((role) => role.logicalId)).toEqual(
      expect.arrayContaining([
        'PipelineRoleB27FAA37',
        expect.stringMatching(/^PipelineUpdatePipelineSelfMutationRole/),
      ]),
    );
  });

  test.each(roles.map((role) => [describeRole(role), role] as const))(
    '%s carries the permissions boundary',
    (_name, role) => {
      expect(model.resolve(role.stack, role.props.PermissionsBoundary)).toBe(boundaryArn(role.stack.account));
    },
  );

  test.each(roles.map((role) => [describeRole(role), role] as const))(
    'CloudFormation may create %s, give it its policies, change and delete it',
    async (_name, role) => {
      const decisions = await Promise.all(
        lifeOf(role).map(async (request) => [request.action, await ask(role.stack.account, request)]),
      );
      expect(decisions.filter(([, decision]) => decision !== 'Allowed')).toEqual([]);
      expect(decisions.length).toBeGreaterThanOrEqual(5);
    },
  );

  test('the boundary leaves every role every action its policies allow', async () => {
    const actions = new Set(
      roles.flatMap((role) =>
        model
          .policiesOf(role)
          .flatMap(({ policy }) => [policy.Statement].flat())
          .filter((statement: any) => statement.Effect === 'Allow')
          .flatMap((statement: any) => [statement.Action].flat().flatMap(actionsMatching)),
      ),
    );
    expect(actions.size).toBeGreaterThan(50);
    const capped: string[] = [];
    for (const action of actions) {
      const caller = { ...withAdminGrant(sessionOf(model.arnOf(roles[0]), []), action), permissionsBoundary: BOUNDARY };
      const decision = await decide({ caller, action, resource: '*', resourceAccount: PIPELINE_ACCOUNT });
      if (decision !== 'Allowed') capped.push(action);
    }
    expect(capped).toEqual([]);
  });
});

describe("the app's managed policies", () => {
  test.each(managedPolicies.map((policy) => [`${policy.stack.displayPath} ${policy.logicalId}`, policy] as const))(
    'CloudFormation may create, update and delete %s',
    async (_name, policy) => {
      const resource = model.arnOf(policy);
      for (const action of [
        'iam:CreatePolicy',
        'iam:CreatePolicyVersion',
        'iam:DeletePolicyVersion',
        'iam:DeletePolicy',
      ]) {
        expect([action, await ask(policy.stack.account, { action, resource })]).toEqual([action, 'Allowed']);
      }
    },
  );
});

describe('escalations CloudFormation is denied', () => {
  const account = '300000000003';
  const appRole = `arn:${PARTITION}:iam::${account}:role/Clair-Prod-Service-ClairTaskDefinitionTaskRole-1A2B3C`;
  const ownBoundary = { 'iam:PermissionsBoundary': boundaryArn(account) };
  const admin = `arn:${PARTITION}:iam::aws:policy/AdministratorAccess`;
  const otherBoundary = { 'iam:PermissionsBoundary': admin };
  const executionRole = executionRoleArn(account, 'eu-central-1');
  const deployRole = `arn:${PARTITION}:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-eu-central-1`;
  const adminRole = `arn:${PARTITION}:iam::${account}:role/OrganizationAccountAccessRole`;
  const execution = policyArn(PARTITION, account, EXECUTION_POLICY_NAME);
  const boundary = boundaryArn(account);

  /** Each escalation, and which of the two policies deny it on its own. */
  const escalations: [string, IamRequest, Layer[]][] = [
    [
      'create an IAM user',
      { action: 'iam:CreateUser', resource: `arn:${PARTITION}:iam::${account}:user/intruder` },
      ['execution policy', 'boundary'],
    ],
    [
      'give a user an access key',
      { action: 'iam:CreateAccessKey', resource: `arn:${PARTITION}:iam::${account}:user/admin` },
      ['execution policy', 'boundary'],
    ],
    [
      'create a role without a boundary',
      { action: 'iam:CreateRole', resource: appRole },
      ['execution policy', 'boundary'],
    ],
    [
      'create a role with another boundary',
      { action: 'iam:CreateRole', resource: appRole, context: otherBoundary },
      ['execution policy', 'boundary'],
    ],
    [
      'create a role outside the app, even with the boundary',
      { action: 'iam:CreateRole', resource: `arn:${PARTITION}:iam::${account}:role/Breakglass`, context: ownBoundary },
      ['execution policy'],
    ],
    [
      "remove a role's boundary",
      { action: 'iam:DeleteRolePermissionsBoundary', resource: appRole, context: ownBoundary },
      ['execution policy', 'boundary'],
    ],
    [
      "replace a role's boundary with another policy",
      { action: 'iam:PutRolePermissionsBoundary', resource: appRole, context: otherBoundary },
      ['execution policy', 'boundary'],
    ],
    ...(
      ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion', 'iam:DeletePolicy'] as const
    ).flatMap((action): [string, IamRequest, Layer[]][] => [
      [`${action} on the boundary`, { action, resource: boundary }, ['execution policy', 'boundary']],
      [`${action} on the execution policy`, { action, resource: execution }, ['execution policy', 'boundary']],
    ]),
    [
      'attach AdministratorAccess to an app role',
      { action: 'iam:AttachRolePolicy', resource: appRole, context: { ...ownBoundary, 'iam:PolicyARN': admin } },
      ['execution policy', 'boundary'],
    ],
    [
      'attach another account policy to an app role',
      {
        action: 'iam:AttachRolePolicy',
        resource: appRole,
        context: { ...ownBoundary, 'iam:PolicyARN': `arn:${PARTITION}:iam::${account}:policy/PowerUsers` },
      },
      ['execution policy', 'boundary'],
    ],
    [
      'add an inline policy to its own execution role',
      { action: 'iam:PutRolePolicy', resource: executionRole, context: ownBoundary },
      ['execution policy', 'boundary'],
    ],
    [
      'attach a policy to its own execution role',
      {
        action: 'iam:AttachRolePolicy',
        resource: executionRole,
        context: {
          ...ownBoundary,
          'iam:PolicyARN': `arn:${PARTITION}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`,
        },
      },
      ['execution policy', 'boundary'],
    ],
    [
      'detach the execution policy from its own role',
      {
        action: 'iam:DetachRolePolicy',
        resource: executionRole,
        context: { ...ownBoundary, 'iam:PolicyARN': execution },
      },
      ['execution policy', 'boundary'],
    ],
    [
      "change the bootstrap deploy role's trust",
      { action: 'iam:UpdateAssumeRolePolicy', resource: deployRole },
      ['execution policy', 'boundary'],
    ],
    [
      "change an administrator role's trust",
      { action: 'iam:UpdateAssumeRolePolicy', resource: adminRole },
      ['execution policy', 'boundary'],
    ],
    [
      'add an inline policy to an administrator role',
      { action: 'iam:PutRolePolicy', resource: adminRole },
      ['execution policy', 'boundary'],
    ],
    [
      'pass an administrator role to a service it creates',
      { action: 'iam:PassRole', resource: adminRole },
      ['execution policy'],
    ],
    [
      'create a service-linked role of a service the app does not use',
      {
        action: 'iam:CreateServiceLinkedRole',
        resource: `arn:${PARTITION}:iam::${account}:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM`,
        context: { 'iam:AWSServiceName': 'ssm.amazonaws.com' },
      },
      ['execution policy'],
    ],
    [
      'create an OpenID Connect provider',
      {
        action: 'iam:CreateOpenIDConnectProvider',
        resource: `arn:${PARTITION}:iam::${account}:oidc-provider/token.example.com`,
      },
      ['execution policy', 'boundary'],
    ],
  ];

  test.each(escalations)('%s', async (_name, request, deniedAlone) => {
    expect(await ask(account, request)).not.toBe('Allowed');
    for (const layer of deniedAlone) {
      expect([layer, await ask(account, request, layer)]).toEqual([layer, expect.stringMatching(/Denied$/)]);
    }
  });
});

describe('the policy documents', () => {
  test.each([EXECUTION_POLICY, BOUNDARY].map((policy) => [policy.name, policy] as const))(
    '%s fits in an IAM managed policy (6,144 characters without whitespace)',
    (_name, { policy }) => {
      expect(JSON.stringify(policy).length).toBeLessThanOrEqual(6144);
    },
  );

  test('the execution policy allows every service whose resources the templates declare', async () => {
    const types = new Set(
      stacks.flatMap(({ templateFile }) =>
        Object.values<any>(JSON.parse(fs.readFileSync(templateFile, 'utf8')).Resources ?? {}).map((r) => r.Type),
      ),
    );
    const creations = [...types].map(createAction).filter((action): action is string => !!action);
    expect(creations.length).toBeGreaterThan(10);
    const refused: string[] = [];
    for (const action of creations) {
      if ((await ask(PIPELINE_ACCOUNT, { action, resource: '*' })) !== 'Allowed') refused.push(action);
    }
    expect(refused).toEqual([]);
  });
});

/** IAM prefixes whose name differs from the CloudFormation namespace. */
const IAM_PREFIX: Record<string, string> = {
  ElasticLoadBalancingV2: 'elasticloadbalancing',
  ApplicationAutoScaling: 'application-autoscaling',
  CodeStarNotifications: 'codestar-notifications',
};

/**
 * A write action CloudFormation needs to create a resource type, to probe that its service is
 * allowed: any `Create…` or `Put…` action of the service (IAM's are proven one by one above).
 */
function createAction(type: string): string | undefined {
  if (type === 'AWS::CDK::Metadata' || type.startsWith('AWS::IAM::')) return undefined;
  // Custom resources run on a Lambda function of the stack.
  if (type.startsWith('Custom::')) return 'lambda:InvokeFunction';
  const namespace = type.split('::')[1];
  const prefix = IAM_PREFIX[namespace] ?? namespace.toLowerCase();
  return actionsMatching(`${prefix}:Create*`)[0] ?? actionsMatching(`${prefix}:Put*`)[0];
}
