/**
 * Where an Application Load Balancer listener sends a request, decided from a synthesized
 * template the way ALB does: the listener's rules in ascending priority, the first rule whose
 * conditions all match wins, else the listener's default actions. Within a condition any value
 * may match. `http-request-method` compares exactly (case-sensitive, no wildcards, so GET does
 * not match HEAD); `path-pattern` matches the path only, never the query string, case-sensitively,
 * with `*` for any run of characters (slashes included) and `?` for exactly one.
 *
 * Anything else (another condition field, regex values, another action type) throws: a rule the
 * evaluator cannot judge must fail the test, not be skipped.
 */

/** What the listener does with a request. */
export type Routing =
  | { readonly type: 'forward'; readonly targetGroups: string[] }
  | { readonly type: 'fixed-response'; readonly statusCode: string; readonly body?: string };

interface Rule {
  readonly id: string;
  readonly priority: number;
  readonly conditions: any[];
  readonly actions: any[];
}

/** The listener's rules and default actions, read from a template's JSON. */
export class ListenerRules {
  private readonly rules: Rule[];
  private readonly defaultActions: any[];

  constructor(template: any, listenerId: string) {
    const listener = template.Resources[listenerId];
    if (listener?.Type !== 'AWS::ElasticLoadBalancingV2::Listener') {
      throw new Error(`${listenerId} is not a listener of this template`);
    }
    this.defaultActions = listener.Properties.DefaultActions;
    this.rules = Object.entries<any>(template.Resources)
      .filter(
        ([, r]) =>
          r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule' && r.Properties.ListenerArn?.Ref === listenerId,
      )
      .map(([id, r]) => ({
        id,
        priority: Number(r.Properties.Priority),
        conditions: r.Properties.Conditions,
        actions: r.Properties.Actions,
      }))
      .sort((a, b) => a.priority - b.priority);
  }

  /** Where `method url` goes; `url` is a path, optionally with a query string. */
  route(method: string, url: string): Routing {
    const path = url.split('?')[0];
    const rule = this.rules.find((r) => r.conditions.every((c) => conditionMatches(c, method, path, r.id)));
    return routing(rule ? rule.actions : this.defaultActions, rule?.id ?? 'the default actions');
  }
}

function conditionMatches(condition: any, method: string, path: string, ruleId: string): boolean {
  switch (condition.Field) {
    case 'http-request-method':
      return valuesOf(condition, 'HttpRequestMethodConfig', ruleId).includes(method);
    case 'path-pattern':
      return valuesOf(condition, 'PathPatternConfig', ruleId).some((pattern) => pathPattern(pattern).test(path));
    default:
      throw new Error(`${ruleId}: the evaluator does not know the condition field ${JSON.stringify(condition.Field)}`);
  }
}

/** The values of a condition, given either way CloudFormation accepts them. */
function valuesOf(condition: any, configKey: string, ruleId: string): string[] {
  const config = condition[configKey] ?? {};
  const unknown = Object.keys(config).filter((key) => key !== 'Values');
  if (unknown.length > 0) throw new Error(`${ruleId}: the evaluator does not know ${configKey}.${unknown.join(', ')}`);
  const values = [...(condition.Values ?? []), ...(config.Values ?? [])];
  if (values.length === 0) throw new Error(`${ruleId}: a ${condition.Field} condition without values`);
  return values;
}

/** An ALB path pattern as an anchored regular expression. */
export function pathPattern(pattern: string): RegExp {
  const source = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** The outcome of a rule's (or the default) actions: the first action by Order that ends the request. */
function routing(actions: any[], owner: string): Routing {
  const [action] = [...actions].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
  switch (action?.Type) {
    case 'forward': {
      const groups = action.TargetGroupArn
        ? [action.TargetGroupArn]
        : action.ForwardConfig.TargetGroups.map((g: any) => g.TargetGroupArn);
      return { type: 'forward', targetGroups: groups.map((arn: any) => arn.Ref ?? JSON.stringify(arn)) };
    }
    case 'fixed-response':
      return {
        type: 'fixed-response',
        statusCode: action.FixedResponseConfig.StatusCode,
        body: action.FixedResponseConfig.MessageBody,
      };
    default:
      throw new Error(`${owner}: the evaluator does not know the action ${JSON.stringify(action?.Type)}`);
  }
}
