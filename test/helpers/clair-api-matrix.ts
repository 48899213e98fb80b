import { ListenerRules, Routing } from './alb-listener-rules';

/** Clair's API port, where the load balancer listens (stages/clair/service.ts). */
const API_PORT = 6060;

/** Every method a caller might send. */
export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const VULNERABILITY = '/v1/namespaces/debian:12/vulnerabilities/CVE-2023-4911';

/**
 * Every route of Clair v2.1.8's API (api/v1/router.go), by example, the write routes later v2
 * development added (`POST /v1/update`, `/v1/settings`), and the root.
 */
export const PATHS = [
  '/v1/layers',
  '/v1/layers/sha256:4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1',
  '/v1/namespaces',
  '/v1/namespaces/debian:12/vulnerabilities',
  VULNERABILITY,
  `${VULNERABILITY}/fixes`,
  `${VULNERABILITY}/fixes/glibc`,
  '/v1/notifications/ec45ec87-bfc8-4129-a1c3-d2b82622175a',
  '/v1/metrics',
  '/v1/update',
  '/v1/settings',
  '/',
];

/**
 * The calls the listener forwards: the gate's (klar's layer analysis and report, the coverage
 * check's reads of layers and namespaces). Every other method and path gets the fixed 403.
 */
export const FORWARDED = [
  `POST /v1/layers`,
  `GET ${PATHS[1]}`,
  'GET /v1/namespaces',
  'GET /v1/namespaces/debian:12/vulnerabilities',
  `GET ${VULNERABILITY}`,
  `GET ${VULNERABILITY}/fixes`,
  `GET ${VULNERABILITY}/fixes/glibc`,
];

/** The calls klar and the coverage check really send, query strings included. */
export const GATE_CALLS = [
  'POST /v1/layers',
  `GET ${PATHS[1]}?vulnerabilities`,
  `GET ${PATHS[1]}?features`,
  'GET /v1/namespaces',
  'GET /v1/namespaces/debian:12/vulnerabilities?limit=1',
];

/** The rules of the Clair API listener in a Clair Service template (its JSON). */
export function clairListener(template: any): { rules: ListenerRules; targetGroup: string } {
  const ofType = (type: string) => Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);
  const listeners = ofType('AWS::ElasticLoadBalancingV2::Listener').filter(([, r]) => r.Properties.Port === API_PORT);
  const groups = ofType('AWS::ElasticLoadBalancingV2::TargetGroup');
  if (listeners.length !== 1 || groups.length !== 1) {
    throw new Error(
      `expected one listener on ${API_PORT} and one target group, got ${listeners.length} and ${groups.length}`,
    );
  }
  return { rules: new ListenerRules(template, listeners[0][0]), targetGroup: groups[0][0] };
}

/** A routing in a word: `forward` (to Clair's target group), `403` (the refusal), or what else it was. */
function outcome(routing: Routing, targetGroup: string): string {
  if (routing.type === 'forward') {
    return routing.targetGroups.length === 1 && routing.targetGroups[0] === targetGroup
      ? 'forward'
      : `forward to ${routing.targetGroups.join(', ')}`;
  }
  return routing.statusCode;
}

/**
 * Sends every method to every path through the listener's rules and lists what differs from
 * {@link FORWARDED}: `METHOD PATH: got X, expected Y`. Empty when only the gate's calls pass.
 */
export function listenerViolations(template: any): string[] {
  const { rules, targetGroup } = clairListener(template);
  return METHODS.flatMap((method) =>
    PATHS.flatMap((path) => {
      const call = `${method} ${path}`;
      const got = outcome(rules.route(method, path), targetGroup);
      const expected = FORWARDED.includes(call) ? 'forward' : '403';
      return got === expected ? [] : [`${call}: got ${got}, expected ${expected}`];
    }),
  );
}

/** Where each of the gate's real calls goes (expected: all `forward`). */
export function gateCallOutcomes(template: any): Record<string, string> {
  const { rules, targetGroup } = clairListener(template);
  return Object.fromEntries(
    GATE_CALLS.map((call) => {
      const [method, url] = call.split(' ');
      return [call, outcome(rules.route(method, url), targetGroup)];
    }),
  );
}
