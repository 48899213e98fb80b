import { REFUSED_MESSAGE } from '../../stages/clair/service';
import { defaultTemplate } from '../helpers/default-assembly';
import { clairListener, gateCallOutcomes, listenerViolations, METHODS, PATHS } from '../helpers/clair-api-matrix';

// Clair's API can add, change and delete vulnerabilities without authentication; deleting one
// makes a vulnerable image pass. The listener must forward the gate's calls and nothing else.
describe.each(['Dev', 'Prod'])('the Clair-%s API listener', (env) => {
  const template = defaultTemplate(`ClairPipeline/Clair-${env}/Service`).toJSON();
  const { rules } = clairListener(template);

  test("forwards only the gate's calls; every other method and path gets the fixed 403", () => {
    expect(listenerViolations(template)).toEqual([]);
  });

  test("forwards klar's and the coverage check's real calls, query strings included", () => {
    expect(Object.values(gateCallOutcomes(template))).toEqual(['forward', 'forward', 'forward', 'forward', 'forward']);
  });

  test('forwards no call that can write: nothing but GET, and POST to /v1/layers only', () => {
    const forwarded = METHODS.flatMap((method) =>
      PATHS.filter((path) => rules.route(method, path).type === 'forward').map((path) => `${method} ${path}`),
    );
    expect(forwarded.length).toBeGreaterThan(0);
    expect(forwarded.filter((call) => !call.startsWith('GET ') && call !== 'POST /v1/layers')).toEqual([]);
  });

  test('refuses with a plain-text 403 that says why', () => {
    expect(rules.route('DELETE', '/v1/layers/x')).toEqual({
      type: 'fixed-response',
      statusCode: '403',
      body: REFUSED_MESSAGE,
    });
  });

  test('rejects a listener that forwards a write route (the check fires)', () => {
    const tampered = structuredClone(template);
    const readRule = Object.values<any>(tampered.Resources).find(
      (r) =>
        r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule' &&
        r.Properties.Conditions.some((c: any) => c.HttpRequestMethodConfig?.Values.includes('GET')),
    );
    readRule.Properties.Conditions.find(
      (c: any) => c.Field === 'http-request-method',
    ).HttpRequestMethodConfig.Values.push('DELETE');

    expect(listenerViolations(tampered)).toEqual(
      expect.arrayContaining([
        'DELETE /v1/namespaces/debian:12/vulnerabilities/CVE-2023-4911: got forward, expected 403',
      ]),
    );
  });

  test('rejects a listener that forwards by default (the check fires)', () => {
    const tampered = structuredClone(template);
    const listener = Object.values<any>(tampered.Resources).find(
      (r) => r.Type === 'AWS::ElasticLoadBalancingV2::Listener',
    );
    const forward = Object.values<any>(tampered.Resources).find(
      (r) => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule',
    ).Properties.Actions;
    listener.Properties.DefaultActions = forward;

    expect(listenerViolations(tampered)).toEqual(
      expect.arrayContaining(['PUT /v1/metrics: got forward, expected 403']),
    );
  });
});
