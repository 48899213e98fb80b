import * as crypto from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';

/**
 * The gate reads every image's manifest before klar runs (to resolve indexes and name formats
 * Clair v2 cannot read), also with REQUIRE_COVERAGE=false. The scenarios' registries do not exist,
 * so scan-image reaches them through this HTTP proxy (http_proxy, with REGISTRY_INSECURE=true): it
 * answers every manifest of the scenario hosts with one Docker schema-2 manifest, and forwards
 * anything else (the real test registries of scripts/with-registry.sh) unchanged.
 */

/** The manifest the fake registry serves for every image of the scenario hosts. */
export const FAKE_MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: {
    mediaType: 'application/vnd.docker.container.image.v1+json',
    size: 2,
    digest: `sha256:${'c'.repeat(64)}`,
  },
  layers: [
    { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 2, digest: `sha256:${'d'.repeat(64)}` },
  ],
});
/** Its digest: the one image of the scenario hosts that can be asked for by digest. */
export const FAKE_MANIFEST_DIGEST = `sha256:${crypto.createHash('sha256').update(FAKE_MANIFEST).digest('hex')}`;

/** Hosts the proxy answers for itself. */
const isScenarioHost = (host: string) => /\.example(:\d+)?$|\.amazonaws\.com(:\d+)?$/.test(host);

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/');
  if (!isScenarioHost(url.host)) {
    const upstream = http.get(url, { headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    return;
  }
  const m = /^\/v2\/.+\/manifests\/(?<reference>[^/]+)$/.exec(url.pathname);
  const reference = m?.groups?.reference;
  if (!reference || (reference.startsWith('sha256:') && reference !== FAKE_MANIFEST_DIGEST)) {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' });
  res.end(FAKE_MANIFEST);
});

let started: Promise<string> | undefined;

/** The proxy's URL (http_proxy), started on first use on 127.0.0.1. */
export function fakeRegistryProxy(): Promise<string> {
  started ??= new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
  return started;
}

/** Stops the proxy if it was started. */
export function stopFakeRegistry(): Promise<void> {
  if (!started) return Promise.resolve();
  return new Promise((resolve) => server.close(() => resolve()));
}
