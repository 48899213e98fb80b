import { LayerReport, VulnerabilityBackend } from './backend';
import { EXIT, fail } from './errors';
import { Finding, findingOf } from './findings';
import { HttpClient, TooLargeError, TransportError } from './http';
import { safe } from './text';

/**
 * The largest answer read from Clair: a 200 MB answer once became 600 MB of reports and 1.7 GB of
 * memory (reference/hostile-inputs.md, D9).
 */
export const MAX_CLAIR_ANSWER_BYTES = 32 * 1024 * 1024;
/** The largest answer read for a namespace question (`limit=1`: one vulnerability). */
const MAX_NAMESPACE_ANSWER_BYTES = 1024 * 1024;

/**
 * A path segment percent-encoded: only unreserved characters and `:` stay as they are, and a
 * segment that is all dots is encoded too, so that no name can step out of its place in the path
 * (reference/hostile-inputs.md, D1: `debian:12/x/..` became a question about `debian:12`).
 */
export function encodePathSegment(segment: string): string {
  const encoded = encodeURIComponent(segment)
    .replace(/%3A/g, ':')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return /^\.+$/.test(encoded) ? encoded.replace(/\./g, '%2E') : encoded;
}

/**
 * Clair v2's v1 REST API, read-only (reference/coverage-and-clair-api.md, section 2):
 * `GET /v1/layers/<name>?features&vulnerabilities` and
 * `GET /v1/namespaces/<ns>/vulnerabilities?limit=1`.
 */
export class ClairV1 implements VulnerabilityBackend {
  constructor(
    private readonly http: HttpClient,
    private readonly addr: string,
    private readonly timeoutMs: number,
  ) {}

  async layer(layerName: string): Promise<LayerReport> {
    const answer = await this.get(
      `/v1/layers/${encodePathSegment(layerName)}?features&vulnerabilities`,
      `layer ${layerName}`,
      MAX_CLAIR_ANSWER_BYTES,
    );
    if (answer.status === 404) {
      fail(EXIT.failed, `coverage: Clair does not know layer ${layerName} (HTTP 404), the top layer klar analyzed`);
    }
    if (answer.status !== 200)
      fail(EXIT.failed, `coverage: Clair answered HTTP ${answer.status} for layer ${layerName}`);
    return readLayer(answer.body, layerName);
  }

  async hasData(namespace: string): Promise<boolean> {
    const what = `namespace ${namespace}`;
    const answer = await this.get(
      `/v1/namespaces/${encodePathSegment(namespace)}/vulnerabilities?limit=1`,
      what,
      MAX_NAMESPACE_ANSWER_BYTES,
    );
    const bad = (reason: string): never =>
      fail(EXIT.failed, `coverage: Clair's answer for namespace ${namespace}: ${reason}`);
    if (answer.status === 404) return false;
    if (answer.status !== 200) bad(`HTTP ${answer.status}`);
    let body: any;
    try {
      body = JSON.parse(answer.body.toString('utf8'));
    } catch {
      bad('the answer is not JSON');
    }
    if (body && typeof body === 'object' && Array.isArray(body.Vulnerabilities)) return body.Vulnerabilities.length > 0;
    if (body && typeof body === 'object' && 'Vulnerabilities' in body && body.Vulnerabilities === null) return false;
    return bad('no Vulnerabilities list');
  }

  private async get(path: string, what: string, maxBytes: number) {
    try {
      return await this.http.get(`${this.addr}${path}`, {
        timeoutMs: this.timeoutMs,
        maxBytes,
        what: `Clair's answer for ${what}`,
      });
    } catch (error) {
      if (error instanceof TooLargeError) fail(EXIT.failed, `coverage: ${error.message}`);
      if (error instanceof TransportError)
        fail(EXIT.failed, `coverage: cannot ask Clair for ${what}: ${safe(error.message)}`);
      throw error;
    }
  }
}

/** Reads Clair's answer for a layer; fails 5 naming what is wrong with it. */
export function readLayer(body: Buffer | string, layerName: string): LayerReport {
  const bad = (reason: string): never => fail(EXIT.failed, `coverage: layer ${layerName}: ${reason}`);
  let answer: any;
  try {
    answer = JSON.parse(body.toString());
  } catch {
    bad("Clair's layer answer is not JSON");
  }
  const layer = answer?.Layer;
  if (typeof layer !== 'object' || layer === null || Array.isArray(layer))
    bad("Clair's layer answer has no Layer object");
  const features = layer.Features ?? [];
  if (
    !Array.isArray(features) ||
    !features.every((f: unknown) => typeof f === 'object' && f !== null && !Array.isArray(f))
  ) {
    bad("Clair's layer answer has Features that are not a list of objects");
  }
  const os: string | null = typeof layer.NamespaceName === 'string' ? layer.NamespaceName : null;
  const namespaces = new Set<string>();
  const findings: Finding[] = [];
  for (const feature of features) {
    const namespace = feature.NamespaceName ?? os;
    if (namespace !== null && namespace !== undefined) namespaces.add(String(namespace));
    const vulnerabilities = feature.Vulnerabilities ?? [];
    if (!Array.isArray(vulnerabilities)) bad("Clair's layer answer has Vulnerabilities that are not a list");
    for (const v of vulnerabilities) {
      if (typeof v !== 'object' || v === null || typeof v.Name !== 'string')
        bad("Clair's layer answer has a vulnerability without a Name");
      findings.push(findingOf({ ...v, FeatureName: feature.Name, FeatureVersion: feature.Version }, v.Severity));
    }
  }
  return { os, packages: features.length, namespaces: [...namespaces].sort(), findings };
}
