import * as http from 'http';
import { AddressInfo } from 'net';
import { Readable } from 'stream';

/** One answer of the stub Clair: an HTTP status and the body as sent. */
export interface ClairAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * A large answer: its headers besides its type, and its body's chunks, made as the connection takes
 * them (allocating tens of MiB at once costs a fraction of a second of CPU here).
 */
export interface StreamedClairAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly chunks: () => Iterable<Buffer>;
}

/** Clair v2's answer for a resource it does not have (an unknown layer or namespace). */
export const CLAIR_NOT_FOUND: ClairAnswer = {
  status: 404,
  body: '{"Error":{"Message":"the resource cannot be found"}}',
};

/** A package as Clair lists it in a layer. */
export interface ClairFeature {
  readonly name: string;
  readonly version: string;
  /** The package's namespace. @default the layer's */
  readonly namespace?: string;
  /** The package's vulnerabilities, as Clair lists them with `?vulnerabilities`. @default none */
  readonly vulnerabilities?: Array<{ readonly Name: string; readonly Severity: string; readonly FixedBy?: string }>;
}

/**
 * Clair's answer to `GET /v1/layers/<name>?features`: without a namespace and features, both keys
 * are absent, as Clair v2.1.8 sends them.
 */
export function clairLayer(name: string, namespace?: string, features: ClairFeature[] = []): ClairAnswer {
  const layer: Record<string, unknown> = { Name: name };
  if (namespace) layer.NamespaceName = namespace;
  layer.IndexedByVersion = 3;
  if (features.length > 0) {
    layer.Features = features.map((f) => ({
      Name: f.name,
      NamespaceName: f.namespace ?? namespace,
      VersionFormat: 'dpkg',
      Version: f.version,
      AddedBy: name,
      ...(f.vulnerabilities ? { Vulnerabilities: f.vulnerabilities } : {}),
    }));
  }
  return { status: 200, body: JSON.stringify({ Layer: layer }) };
}

/** `GET /v1/namespaces/<ns>/vulnerabilities?limit=1` for a namespace that holds data. */
export const NAMESPACE_WITH_DATA: ClairAnswer = {
  status: 200,
  body: JSON.stringify({
    Vulnerabilities: [{ Name: 'CVE-2023-0464', NamespaceName: 'debian:12', Severity: 'High' }],
    NextPage: 'gAAAAABnZ2NvdmVyYWdl',
  }),
};

/** The same for a namespace Clair knows but holds no data for (e.g. `amzn:2023`). */
export const NAMESPACE_WITHOUT_DATA: ClairAnswer = { status: 200, body: '{"Vulnerabilities":null}' };

/**
 * A stand-in for the read-only part of Clair v2's v1 API that the coverage check uses, on
 * 127.0.0.1: `GET /v1/layers/<name>` and `GET /v1/namespaces/<ns>/vulnerabilities`, answering
 * what the test set and 404 (Clair's shape) for anything else. It records every request.
 */
export class StubClair {
  /** Starts a stub on a free port. */
  static async start(): Promise<StubClair> {
    const stub = new StubClair();
    await new Promise<void>((resolve) => stub.server.listen(0, '127.0.0.1', resolve));
    return stub;
  }

  /** Every request received, as `METHOD path?query`. */
  readonly requests: string[] = [];
  private readonly answers = new Map<string, ClairAnswer | StreamedClairAnswer>();
  private readonly server = http.createServer((req, res) => {
    this.requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', 'http://clair');
    const answer = (req.method === 'GET' && this.answers.get(decodeURIComponent(url.pathname))) || CLAIR_NOT_FOUND;
    const type = { 'Content-Type': 'application/json;charset=utf-8' };
    if ('chunks' in answer) {
      res.writeHead(answer.status, { ...type, ...answer.headers });
      Readable.from(answer.chunks()).pipe(res);
    } else {
      res.writeHead(answer.status, type);
      res.end(answer.body);
    }
  });

  private constructor() {}

  /** Clair's address as scan-image takes it (scheme, host and explicit port). */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers `GET /v1/layers/<name>`. */
  layer(name: string, answer: ClairAnswer | StreamedClairAnswer): this {
    this.answers.set(`/v1/layers/${name}`, answer);
    return this;
  }

  /** Answers `GET /v1/namespaces/<namespace>/vulnerabilities`. */
  namespace(namespace: string, answer: ClairAnswer): this {
    this.answers.set(`/v1/namespaces/${namespace}/vulnerabilities`, answer);
    return this;
  }

  /** The requests whose path contains `text`. */
  requestsFor(text: string): string[] {
    return this.requests.filter((r) => r.includes(text));
  }

  /** Stops the server. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }
}
