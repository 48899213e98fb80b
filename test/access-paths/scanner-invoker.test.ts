/**
 * Who may drive a Clair scanner, and how: the cross-account invoker roles of the default app (found
 * by walking the trust policies), the pipeline roles that may and may not assume them, what the
 * invoker may override when it starts the scanner, and the scheduled freshness check's start.
 */
import { GATE_VARIABLES, SCAN_ROLE_PREFIX, SCANNER_PROJECT_NAME } from '@clair-pipeline/scan';
import { DENIED_OVERRIDE_KEYS } from '../../stages/clair/invoker-policy';
import { CloudModel, ModelResource, PARTITION } from './cloud-model';
import { Caller, decide, roleCaller, sessionOf, withAdminGrant, withoutStatements } from './evaluate';
import { actionConditionKeys } from './iam-data';
import { KEYED_OVERRIDE_FIELDS, startBuildContext, variables } from './start-build';

const model = CloudModel.ofDefaultApp();

const trustOf = (role: ModelResource) => model.resolve(role.stack, role.props.AssumeRolePolicyDocument);
const accountOfArn = (arn: string) => arn.split(':')[4];
const statementsOf = (caller: Caller) => caller.identityPolicies.flatMap((p) => [p.policy.Statement].flat());

/** Roles whose trust policy names an AWS principal of another account. */
const crossAccountRoles = model.resources('AWS::IAM::Role').filter((role) =>
  [trustOf(role).Statement]
    .flat()
    .flatMap((s: any) => [s.Principal?.AWS ?? []].flat())
    .some((principal: string) => accountOfArn(principal) !== role.stack.account),
);
const trustedAccounts = (role: ModelResource): string[] => [
  ...new Set<string>(
    [trustOf(role).Statement]
      .flat()
      .flatMap((s: any) => [s.Principal?.AWS ?? []].flat())
      .map(accountOfArn),
  ),
];

/** The pipeline's scan steps: CodeBuild projects that run ClairScanStep (it sets SCANNER_REGION). */
const scanStepRoles = model
  .resources('AWS::CodeBuild::Project')
  .filter((project) =>
    (project.props.Environment?.EnvironmentVariables ?? []).some((v: any) => v.Name === 'SCANNER_REGION'),
  )
  .map((project) => model.resourceByArn(model.resolve(project.stack, project.props.ServiceRole)))
  .filter((role, index, roles) => roles.findIndex((other) => other.logicalId === role.logicalId) === index);
const isScanStep = (role: ModelResource) =>
  scanStepRoles.some((scan) => scan.stack === role.stack && scan.logicalId === role.logicalId);

function assume(caller: Caller, invoker: ModelResource, trust = trustOf(invoker)) {
  return decide({
    caller,
    action: 'sts:AssumeRole',
    resource: model.arnOf(invoker),
    resourceAccount: invoker.stack.account,
    resourcePolicy: trust,
  });
}

/** The scanner project an invoker may start (the resource of its StartBuild grant). */
function projectOf(invoker: ModelResource): string {
  const [project] = statementsOf(roleCaller(model, invoker))
    .filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes('codebuild:StartBuild'))
    .flatMap((s) => [s.Resource].flat());
  return project;
}

function startBuild(caller: Caller, project: string, request: Record<string, any>) {
  return decide({
    caller,
    action: 'codebuild:StartBuild',
    resource: project,
    resourceAccount: accountOfArn(project),
    context: startBuildContext(request),
  });
}

test('the walk of the templates finds cross-account roles and scan steps', () => {
  expect(crossAccountRoles.length).toBeGreaterThan(0);
  expect(scanStepRoles.length).toBeGreaterThan(0);
});

describe.each(crossAccountRoles.map((role) => [`${role.stack.displayPath} ${model.nameOf(role)}`, role] as const))(
  'cross-account role %s',
  (_name, invoker) => {
    const invokerArn = model.arnOf(invoker);
    const trustedStacks = model.stacks.filter((stack) => trustedAccounts(invoker).includes(stack.account));
    const ownScanSteps = scanStepRoles.filter((role) =>
      statementsOf(roleCaller(model, role)).some((s) => [s.Resource].flat().includes(invokerArn)),
    );
    const otherRoles = model.resources('AWS::IAM::Role', trustedStacks).filter((role) => !isScanStep(role));

    test('is the target of scan steps, the roles the trust names', () => {
      expect(ownScanSteps.length).toBeGreaterThan(0);
      expect(otherRoles.length).toBeGreaterThan(0);
    });

    test.each(ownScanSteps.map((role) => [model.nameOf(role), role] as const))(
      'admits the scan step role %s',
      async (_role, role) => {
        expect(await assume(roleCaller(model, role), invoker)).toBe('Allowed');
      },
    );

    test.each(otherRoles.map((role) => [model.nameOf(role), role] as const))(
      'rejects %s, another role of a trusted account, even with sts:AssumeRole on *',
      async (_role, role) => {
        expect(await assume(withAdminGrant(roleCaller(model, role), 'sts:AssumeRole'), invoker)).not.toBe('Allowed');
      },
    );

    test('rejects a scan role of an account it does not trust', async () => {
      const stranger = sessionOf(`arn:${PARTITION}:iam::999999999999:role/${SCAN_ROLE_PREFIX}intruder`, []);
      expect(await assume(withAdminGrant(stranger, 'sts:AssumeRole'), invoker)).not.toBe('Allowed');
    });
  },
);

const invokers = crossAccountRoles.filter((role) => model.nameOf(role).startsWith('clair-scanner-invoker-'));

describe.each(invokers.map((role) => [role.stack.displayPath, role] as const))(
  'the invoker of %s',
  (_name, invoker) => {
    const project = projectOf(invoker);
    const caller = roleCaller(model, invoker);
    const admin = withAdminGrant(caller, 'codebuild:StartBuild');

    test('may start the scanner with the image and every gate variable', async () => {
      expect(await startBuild(caller, project, { environmentVariablesOverride: variables(GATE_VARIABLES) })).toBe(
        'Allowed',
      );
    });

    test("may read the scanner's contract version, start a readiness check, watch and stop the build", async () => {
      expect(await startBuild(caller, project, { environmentVariablesOverride: variables(['READINESS_ONLY']) })).toBe(
        'Allowed',
      );
      for (const action of ['codebuild:BatchGetProjects', 'codebuild:BatchGetBuilds', 'codebuild:StopBuild']) {
        const decision = await decide({ caller, action, resource: project, resourceAccount: invoker.stack.account });
        expect(decision).toBe('Allowed');
      }
    });

    test.each(KEYED_OVERRIDE_FIELDS)('rejects a start with %s, even with StartBuild on *', async (field) => {
      const request = { environmentVariablesOverride: variables(['IMAGE_URI']), [field]: `override-${field}` };
      expect(await startBuild(admin, project, request)).toBe('ExplicitlyDenied');
    });

    test.each([
      'CLAIR_ADDR',
      'KLAR_TRACE',
      'CANARY_IMAGE_URI',
      'CANARY_MIN_VULNERABILITIES',
      'READINESS_TIMEOUT_SECONDS',
      'ALLOWED_REGISTRIES',
      'SCAN_DEADLINE_SECONDS',
      'DEPLOYED_POLICY_BUCKET',
      'DEPLOYED_POLICY_KMS_KEY',
    ])('rejects a start that sets %s, a variable outside the gate list', async (name) => {
      const request = { environmentVariablesOverride: variables(['IMAGE_URI', name]) };
      expect(await startBuild(admin, project, request)).toBe('ExplicitlyDenied');
    });
  },
);

describe('the invoker policy', () => {
  const startBuildKeys = actionConditionKeys('codebuild:StartBuild');
  const environmentVariableKey = (key: string) => key.startsWith('codebuild:environment.environmentVariables');
  const parentOfOthers = (key: string) => startBuildKeys.some((other) => other.startsWith(`${key}.`));

  test('denies every StartBuild override key of the AWS service reference but the environment variables', () => {
    const required = startBuildKeys.filter(
      (key) =>
        !key.includes('${') &&
        !environmentVariableKey(key) &&
        !(key === 'codebuild:environment' || key === 'codebuild:environment.fleet'),
    );
    expect(required.filter((key) => !DENIED_OVERRIDE_KEYS.includes(key))).toEqual([]);
    expect(DENIED_OVERRIDE_KEYS.filter((key) => !startBuildKeys.includes(key))).toEqual([]);
  });

  test('keeps clear of the parent keys an environment-variable override also sets', () => {
    expect(
      DENIED_OVERRIDE_KEYS.filter((key) => environmentVariableKey(key) || key === 'codebuild:environment'),
    ).toEqual([]);
    expect(parentOfOthers('codebuild:environment')).toBe(true);
  });

  test.each(invokers.map((role) => [role.stack.displayPath, role] as const))(
    "fits IAM's size limits: 10,240 characters of inline policy per role, 6,144 per managed policy (%s)",
    (_name, invoker) => {
      const size = (type: string) =>
        model
          .resources(type, [invoker.stack])
          .filter((policy) => (policy.props.Roles ?? []).some((ref: any) => ref?.Ref === invoker.logicalId))
          .map((policy) => JSON.stringify(model.resolve(policy.stack, policy.props.PolicyDocument)).length);
      const inline = size('AWS::IAM::Policy');
      expect(inline.length).toBeGreaterThan(0);
      expect(inline.reduce((sum, chars) => sum + chars, 0)).toBeLessThanOrEqual(10_240);
      for (const chars of size('AWS::IAM::ManagedPolicy')) expect(chars).toBeLessThanOrEqual(6_144);
    },
  );
});

const scheduledStarts = model.resources('AWS::Events::Rule').flatMap((rule) =>
  model
    .resolve(rule.stack, rule.props.Targets ?? [])
    .filter((target: any) => target.Arn.endsWith(`:project/${SCANNER_PROJECT_NAME}`))
    .map((target: any) => ({ rule, target, request: JSON.parse(target.Input) })),
);

describe('the scheduled freshness check', () => {
  test('the walk of the templates finds it', () => {
    expect(scheduledStarts.length).toBeGreaterThan(0);
  });

  test.each(scheduledStarts.map((start) => [start.rule.stack.displayPath, start] as const))(
    "its rule's role may start the scanner with the rule's overrides (%s)",
    async (_name, { target, request }) => {
      const caller = roleCaller(model, model.resourceByArn(target.RoleArn));
      expect(await startBuild(caller, target.Arn, request)).toBe('Allowed');
      // Readiness only: the same variables a scan step may send.
      const names = request.environmentVariablesOverride.map((v: any) => v.name);
      expect(names.filter((name: string) => !GATE_VARIABLES.includes(name))).toEqual([]);
    },
  );
});

describe('the suite fails when a grant or a deny is removed', () => {
  const [invoker] = invokers;
  const project = projectOf(invoker);
  const caller = roleCaller(model, invoker);
  const withoutDeny = (matches: (statement: any) => boolean): Caller => {
    const combined = { Version: '2012-10-17', Statement: statementsOf(caller) };
    const policy = withoutStatements(combined, (s) => s.Effect === 'Deny' && matches(s));
    return { ...caller, identityPolicies: [{ name: 'InvokerPolicies', policy }] };
  };

  test('fails the trust once it loses the scan-role condition: another pipeline role gets in', async () => {
    const trust = trustOf(invoker);
    const unconditioned = { ...trust, Statement: [trust.Statement].flat().map((s: any) => ({ ...s, Condition: {} })) };
    const [other] = model
      .resources(
        'AWS::IAM::Role',
        model.stacks.filter((s) => trustedAccounts(invoker).includes(s.account)),
      )
      .filter((role) => !isScanStep(role));
    expect(await assume(withAdminGrant(roleCaller(model, other), 'sts:AssumeRole'), invoker, unconditioned)).toBe(
      'Allowed',
    );
  });

  test("fails a scan step once its role loses the invoker's grant", async () => {
    const [role] = scanStepRoles;
    const stripped = { ...roleCaller(model, role), identityPolicies: [] };
    expect(await assume(stripped, invoker)).toBe('ImplicitlyDenied');
  });

  test('fails the image override rule once its deny is removed', async () => {
    const policy = withoutDeny((s) => s.Condition?.Null?.['codebuild:environment.image'] !== undefined);
    const request = { environmentVariablesOverride: variables(['IMAGE_URI']), imageOverride: 'evil' };
    expect(await startBuild(policy, project, request)).toBe('Allowed');
  });

  test('fails the variable rule once its deny is removed', async () => {
    const policy = withoutDeny((s) => s.Condition?.['ForAnyValue:StringNotEquals'] !== undefined);
    const request = { environmentVariablesOverride: variables(['IMAGE_URI', 'CLAIR_ADDR']) };
    expect(await startBuild(policy, project, request)).toBe('Allowed');
  });
});
