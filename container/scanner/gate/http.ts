import * as http from 'http';
import * as https from 'https';
import { Deadline, DeadlineError } from './deadline';

/** An HTTP answer, its body read whole (within the cap). */
export interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** No answer: the connection failed, TLS was refused, or the server took too long. */
export class TransportError extends Error {}

/** An answer larger than the cap its caller set. */
export class TooLargeError extends Error {
  constructor(what: string, maxBytes: number) {
    super(`${what} is larger than the gate's cap of ${formatBytes(maxBytes)}`);
  }
}

/** Bytes as the caps are documented: MiB or KiB. */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

/** Options of one GET. */
export interface GetOptions {
  readonly headers?: Record<string, string>;
  /** Skip TLS certificate checks (DOCKER_INSECURE for the registry). */
  readonly insecureTls?: boolean;
  /** The bound of this request alone; the scan's deadline may cut it shorter. */
  readonly timeoutMs: number;
  /** The largest body accepted. */
  readonly maxBytes: number;
  /** What is asked for, for messages ("the manifest …"). */
  readonly what: string;
}

/** Proxy settings, as curl and klar read them from the environment. */
export interface ProxySettings {
  /** `http_proxy` (lower case, as curl reads it): used for plain-http URLs. */
  readonly httpProxy?: string;
  /** Hosts (or domain suffixes) reached directly. */
  readonly noProxy: string[];
}

/** Reads {@link ProxySettings} from an environment. */
export function proxySettings(env: Readonly<Record<string, string | undefined>>): ProxySettings {
  const noProxy = `${env.NO_PROXY ?? ''},${env.no_proxy ?? ''}`
    .split(',')
    .map((entry) =>
      entry
        .trim()
        .toLowerCase()
        .replace(/^\*?\./, ''),
    )
    .filter((entry) => entry !== '');
  return { httpProxy: env.http_proxy || undefined, noProxy };
}

/**
 * The gate's HTTP client: GET only, every request bounded by its own timeout, the scan's deadline
 * and a size cap. Node's http and https modules, so that TLS checks can be skipped per request
 * (DOCKER_INSECURE) without another dependency.
 */
export class HttpClient {
  constructor(
    private readonly deadline: Deadline,
    private readonly proxy: ProxySettings = { noProxy: [] },
  ) {}

  /** GETs `url`; throws {@link TransportError}, {@link TooLargeError} or {@link DeadlineError}. */
  get(url: string, opts: GetOptions): Promise<Answer> {
    const target = new URL(url);
    const remaining = this.deadline.remainingMs();
    if (remaining === 0) return Promise.reject(new DeadlineError(this.deadline.seconds, `asking for ${opts.what}`));
    const cutByDeadline = remaining < opts.timeoutMs;
    const timeoutMs = Math.min(remaining, opts.timeoutMs);
    const viaProxy = target.protocol === 'http:' && this.proxy.httpProxy && !this.bypassesProxy(target.hostname);
    const requestUrl = viaProxy ? new URL(this.proxy.httpProxy!) : target;
    const options: https.RequestOptions = {
      method: 'GET',
      protocol: requestUrl.protocol,
      hostname: requestUrl.hostname.replace(/^\[|\]$/g, ''),
      port: requestUrl.port || undefined,
      path: viaProxy ? target.href : `${target.pathname}${target.search}`,
      headers: { ...opts.headers, ...(viaProxy ? { Host: target.host } : {}) },
      rejectUnauthorized: !opts.insecureTls,
      agent: false,
    };
    const module = requestUrl.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, answer?: Answer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          request.destroy();
          reject(error);
        } else resolve(answer!);
      };
      const timer = setTimeout(() => {
        finish(
          cutByDeadline
            ? new DeadlineError(this.deadline.seconds, `asking for ${opts.what}`)
            : new TransportError(`no answer within ${Math.round(timeoutMs / 1000)} s`),
        );
      }, timeoutMs);
      const request = module.request(options, (response) => {
        const declared = Number(response.headers['content-length']);
        if (declared > opts.maxBytes) {
          finish(new TooLargeError(opts.what, opts.maxBytes));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > opts.maxBytes) finish(new TooLargeError(opts.what, opts.maxBytes));
          else chunks.push(chunk);
        });
        response.on('end', () =>
          finish(undefined, {
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', (error) => finish(new TransportError(describeError(error))));
      });
      request.on('error', (error) => finish(new TransportError(describeError(error))));
      request.end();
    });
  }

  private bypassesProxy(hostname: string): boolean {
    const host = hostname.toLowerCase();
    return this.proxy.noProxy.some((entry) => entry === '*' || host === entry || host.endsWith(`.${entry}`));
  }
}

/** A Node network error as one line: its message, and its code when the message lacks it. */
function describeError(error: Error & { code?: string }): string {
  return error.code && !error.message.includes(error.code) ? `${error.message} (${error.code})` : error.message;
}
