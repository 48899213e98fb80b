import * as crypto from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';

/** What the hostile registry answers to one manifest request. */
export interface HostileAnswer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Milliseconds to wait before answering. */
  readonly delayMs?: number;
}

/** A Docker schema-2 manifest naming these digests (base first), as text. */
export function schema2Manifest(config: string, layers: string[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1, digest: config },
    layers: layers.map((digest) => ({
      mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
      size: 1,
      digest,
    })),
  });
}

/** The sha256 digest of a text, as registries write it. */
export const digestOf = (text: string | Buffer): string =>
  `sha256:${crypto.createHash('sha256').update(text).digest('hex')}`;

/**
 * A registry that lies, on 127.0.0.1 (plain http): it answers every request with what the test
 * sets for its path (else 404), after an optional delay, and records each request with its
 * Authorization header. For the gate's hostile-input tests (reference/hostile-inputs.md).
 */
export class HostileRegistry {
  /** Starts one on a free port. */
  static async start(): Promise<HostileRegistry> {
    const registry = new HostileRegistry();
    await new Promise<void>((resolve) => registry.server.listen(0, '127.0.0.1', resolve));
    return registry;
  }

  /** Every request: `GET /path?query Authorization`. */
  readonly requests: string[] = [];
  private readonly answers = new Map<string, HostileAnswer>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly server = http.createServer((req, res) => {
    this.requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
    const answer = this.answers.get(new URL(req.url ?? '/', 'http://registry').pathname) ?? { status: 404, body: '{}' };
    const send = () => {
      res.writeHead(answer.status ?? 200, {
        'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json',
        ...answer.headers,
      });
      res.end(answer.body ?? '');
    };
    if (!answer.delayMs) send();
    else {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        send();
      }, answer.delayMs);
      this.timers.add(timer);
    }
  });

  private constructor() {}

  /** host:port. */
  get host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Sets the answer for a path (e.g. `/v2/app/manifests/1`). */
  answer(path: string, answer: HostileAnswer): this {
    this.answers.set(path, answer);
    return this;
  }

  /** Stops the server, dropping delayed answers. */
  close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
