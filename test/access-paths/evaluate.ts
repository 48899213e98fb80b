import { runSimulation } from '@cloud-copilot/iam-simulate';
import { CloudModel, ModelResource, NamedPolicy, PARTITION } from './cloud-model';

/** The evaluator's verdict. */
export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** Who makes a request, with the identity policies and request context that come with it. */
export interface Caller {
  /** What the request is signed as: an assumed-role session, an account or a service principal. */
  readonly principal: string;
  /** Its identity policies (none for service principals). */
  readonly identityPolicies: readonly NamedPolicy[];
  /** Context keys that describe the caller (`aws:PrincipalArn`, …). */
  readonly context: Record<string, string | string[]>;
  /** The permissions boundary of the caller's role. @default none */
  readonly permissionsBoundary?: NamedPolicy;
}

/** One request. */
export interface AccessRequest {
  readonly caller: Caller;
  readonly action: string;
  /** The resource's ARN. */
  readonly resource: string;
  /** The account that owns the resource. */
  readonly resourceAccount: string;
  /** The resource's policy (topic, bucket, key, trust policy). @default none */
  readonly resourcePolicy?: any;
  /** Context keys of the request itself (`aws:SourceArn`, `codebuild:…`). @default none */
  readonly context?: Record<string, string | string[]>;
}

/**
 * Evaluates a request with @cloud-copilot/iam-simulate (AGPL-3.0; a devDependency, used by these
 * tests only). Every request travels over TLS. An invalid request (an unknown action, a resource
 * the action does not take, a malformed policy) throws instead of counting as a denial.
 */
export async function decide(request: AccessRequest): Promise<Decision> {
  const response = await runSimulation(
    {
      request: {
        principal: request.caller.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        contextVariables: { 'aws:SecureTransport': 'true', ...request.caller.context, ...request.context },
      },
      identityPolicies: [...request.caller.identityPolicies],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy,
      permissionBoundaryPolicies: request.caller.permissionsBoundary ? [request.caller.permissionsBoundary] : undefined,
    },
    {},
  );
  if (response.resultType === 'error') {
    throw new Error(
      `the evaluator rejected the request ${JSON.stringify(request)}: ${JSON.stringify(response.errors)}`,
    );
  }
  return response.overallResult as Decision;
}

/** An AWS service calling through its service principal (e.g. `cloudwatch.amazonaws.com`). */
export function serviceCaller(service: string): Caller {
  return {
    principal: service,
    identityPolicies: [],
    context: { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': service },
  };
}

/** A session of a role of the app, with the role's identity policies from the templates. */
export function roleCaller(model: CloudModel, role: ModelResource): Caller {
  return sessionOf(model.arnOf(role), model.policiesOf(role));
}

/** A session of a role by ARN, with the given identity policies. */
export function sessionOf(roleArn: string, identityPolicies: readonly NamedPolicy[]): Caller {
  const [, , , , account, resource] = roleArn.split(':');
  const name = resource.split('/').pop();
  return {
    principal: `arn:${PARTITION}:sts::${account}:assumed-role/${name}/access-path-test`,
    identityPolicies,
    context: { 'aws:PrincipalArn': roleArn, 'aws:PrincipalAccount': account },
  };
}

/**
 * The same caller with an identity policy that allows the action on every resource, as an
 * administrator of its account could grant: a denial then comes from the resource or trust
 * policy (or an explicit deny) alone.
 */
export function withAdminGrant(caller: Caller, action: string): Caller {
  const grant = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] };
  return { ...caller, identityPolicies: [...caller.identityPolicies, { name: 'AdministratorGrant', policy: grant }] };
}

/** A copy of a policy document without the statements the predicate matches (for the negative tests). */
export function withoutStatements(policy: any, remove: (statement: any) => boolean): any {
  const statements = [policy.Statement].flat();
  const kept = statements.filter((statement) => !remove(statement));
  if (kept.length === statements.length)
    throw new Error('the mutation removed nothing: the negative test proves nothing');
  return { ...policy, Statement: kept };
}

/** Whether a statement allows (or denies) for a given principal (`Service` or `AWS`). */
export function namesPrincipal(statement: any, principal: string): boolean {
  const named = Object.values<any>(statement.Principal ?? {}).flat();
  return named.includes(principal);
}
