import { ListenerRules, pathPattern } from './alb-listener-rules';

// The evaluator decides what the Clair listener tests prove: these pin its ALB semantics.
const listener = (conditions: any[][], defaultStatus = '403') => ({
  Resources: {
    Listener: {
      Type: 'AWS::ElasticLoadBalancingV2::Listener',
      Properties: {
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: defaultStatus } }],
      },
    },
    ...Object.fromEntries(
      conditions.map((ruleConditions, index) => [
        `Rule${index}`,
        {
          Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
          Properties: {
            ListenerArn: { Ref: 'Listener' },
            Priority: 10 * (conditions.length - index),
            Conditions: ruleConditions,
            Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: `2${index}0` } }],
          },
        },
      ]),
    ),
  },
});
const method = (...values: string[]) => ({ Field: 'http-request-method', HttpRequestMethodConfig: { Values: values } });
const path = (...values: string[]) => ({ Field: 'path-pattern', PathPatternConfig: { Values: values } });
const status = (rules: ListenerRules, m: string, url: string) => {
  const routing = rules.route(m, url);
  return routing.type === 'fixed-response' ? routing.statusCode : 'forward';
};

test('path patterns: * spans any characters including slashes, ? exactly one, case-sensitive, anchored', () => {
  expect(pathPattern('/v1/layers/*').test('/v1/layers/a/b')).toBe(true);
  expect(pathPattern('/v1/layers/*').test('/v1/layers')).toBe(false);
  expect(pathPattern('/v1/layer?').test('/v1/layers')).toBe(true);
  expect(pathPattern('/v1/layer?').test('/v1/layer')).toBe(false);
  expect(pathPattern('/v1/layers').test('/V1/layers')).toBe(false);
  expect(pathPattern('/v1/layers').test('/v1/layers/')).toBe(false);
  expect(pathPattern('/v1.layers').test('/v1xlayers')).toBe(false);
});

test('the first matching rule by priority wins, all of its conditions must match, else the default', () => {
  // Rule0 has priority 20, Rule1 priority 10.
  const rules = new ListenerRules(listener([[method('GET')], [method('GET'), path('/a')]]), 'Listener');

  expect(status(rules, 'GET', '/a')).toBe('210');
  expect(status(rules, 'GET', '/b')).toBe('200');
  expect(status(rules, 'POST', '/a')).toBe('403');
});

test('methods match exactly: GET is not HEAD, nor get', () => {
  const rules = new ListenerRules(listener([[method('GET')]]), 'Listener');

  expect(status(rules, 'HEAD', '/')).toBe('403');
  expect(status(rules, 'get', '/')).toBe('403');
});

test('the query string is not part of the path', () => {
  const rules = new ListenerRules(listener([[path('/v1/layers/*')]]), 'Listener');

  expect(status(rules, 'GET', '/v1/layers/x?vulnerabilities')).toBe('200');
  expect(status(rules, 'GET', '/v1/namespaces?/v1/layers/x')).toBe('403');
});

test.each([
  ['a condition field it does not know', [{ Field: 'host-header', HostHeaderConfig: { Values: ['x'] } }]],
  ['regex path values', [{ Field: 'path-pattern', PathPatternConfig: { RegexValues: ['^/v1/.*$'] } }]],
])('fails on %s rather than skipping the rule', (_what, conditions) => {
  const rules = new ListenerRules(listener([conditions]), 'Listener');

  expect(() => rules.route('GET', '/')).toThrow(/the evaluator does not know/);
});
