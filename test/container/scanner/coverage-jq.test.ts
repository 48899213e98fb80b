import * as path from 'path';
import { REPO_ROOT, runScript } from '../../helpers/run-script';
import {
  CLAIR_NOT_FOUND,
  ClairAnswer,
  clairLayer,
  NAMESPACE_WITH_DATA,
  NAMESPACE_WITHOUT_DATA,
} from '../../helpers/stubs/clair';

// The coverage rules of jq/coverage.jq, run directly: klar's layer name and the verdict per case.
const JQ_LIB = path.join(REPO_ROOT, 'container', 'scanner', 'jq');

/** Runs `include "coverage"; <program>` on the JSON string `input` (a raw body), returning the result or the error. */
function jq(program: string, input: string, args: string[] = []): { value?: unknown; error?: string } {
  const result = runScript(
    'jq',
    ['-c', '-L', JQ_LIB, ...args, `include "coverage"; try {value: (${program})} catch {error: .}`],
    { input: JSON.stringify(input) },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

const CONFIG = `sha256:${'c'.repeat(64)}`;
const LAYER = (n: number) => `sha256:${String(n).repeat(64)}`;
const schema2 = (extra: object = {}) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1, digest: CONFIG },
    layers: [1, 2, 3].map((n) => ({
      mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
      size: 1,
      digest: LAYER(n),
    })),
    ...extra,
  });
const layerName = (manifest: string, contentType = '') =>
  jq('layer_name($type)', manifest, ['--arg', 'type', contentType]);

describe("klar's layer name", () => {
  test('is the config digest and the last layer digest, without sha256: prefixes', () => {
    expect(layerName(schema2())).toEqual({ value: 'c'.repeat(64) + '3'.repeat(64) });
  });

  test('takes the media type from Content-Type when the manifest omits it', () => {
    const manifest = JSON.parse(schema2());
    delete manifest.mediaType;
    expect(layerName(JSON.stringify(manifest), 'application/vnd.docker.distribution.manifest.v2+json')).toEqual({
      value: 'c'.repeat(64) + '3'.repeat(64),
    });
  });

  test.each([
    ['an OCI manifest', schema2({ mediaType: 'application/vnd.oci.image.manifest.v1+json' }), /OCI manifest/],
    [
      'a manifest list',
      schema2({ mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json' }),
      /manifest list/,
    ],
    ['an OCI index', schema2({ mediaType: 'application/vnd.oci.image.index.v1+json' }), /manifest list/],
    ['schema 1', JSON.stringify({ schemaVersion: 1, fsLayers: [] }), /not Docker schema 2/],
    ['no layers', schema2({ layers: [] }), /no layers/],
    ['a config digest that is not sha256', schema2({ config: { digest: 'md5:abc' } }), /no sha256 config digest/],
    ['not JSON', '<html>', /the manifest is not JSON/],
  ])('rejects %s', (_what, manifest, message) => {
    expect(layerName(manifest).error).toMatch(message);
  });
});

describe('the coverage verdict', () => {
  const NAME = 'c'.repeat(64) + '3'.repeat(64);
  const openssl = { name: 'openssl', version: '3.0.11' };

  /** The gaps coverage/1 finds in a layer answer, with these namespace answers. */
  function gaps(layer: ClairAnswer, namespaces: Record<string, ClairAnswer> = {}) {
    const answers = Object.fromEntries(
      Object.entries(namespaces).map(([ns, a]) => [ns, { status: String(a.status), body: a.body }]),
    );
    return jq('coverage($answers) | .gaps', layer.body, ['--argjson', 'answers', JSON.stringify(answers)]);
  }

  test('covers a layer with packages in a namespace that holds data', () => {
    expect(gaps(clairLayer(NAME, 'debian:12', [openssl]), { 'debian:12': NAMESPACE_WITH_DATA })).toEqual({ value: [] });
  });

  test.each([
    ['a layer without NamespaceName', clairLayer(NAME), {}, ['no operating system detected']],
    ['a namespace but no Features', clairLayer(NAME, 'debian:12'), {}, ['no packages found']],
    [
      'a namespace answering 404',
      clairLayer(NAME, 'amzn:2023', [openssl]),
      { 'amzn:2023': CLAIR_NOT_FOUND },
      ['no vulnerability data for amzn:2023'],
    ],
    [
      'a namespace answering null',
      clairLayer(NAME, 'debian:13', [openssl]),
      { 'debian:13': NAMESPACE_WITHOUT_DATA },
      ['no vulnerability data for debian:13'],
    ],
    [
      'a namespace answering []',
      clairLayer(NAME, 'debian:13', [openssl]),
      { 'debian:13': { status: 200, body: '{"Vulnerabilities":[]}' } },
      ['no vulnerability data for debian:13'],
    ],
    [
      'two namespaces, one without data',
      clairLayer(NAME, 'debian:12', [openssl, { ...openssl, namespace: 'ubuntu:26.04' }]),
      { 'debian:12': NAMESPACE_WITH_DATA, 'ubuntu:26.04': CLAIR_NOT_FOUND },
      ['no vulnerability data for ubuntu:26.04'],
    ],
  ])('is not covered with %s', (_what, layer, namespaces, expected) => {
    expect(gaps(layer, namespaces)).toEqual({ value: expected });
  });

  test.each([
    ['a layer answer that is not JSON', { status: 200, body: 'Bad Gateway' }, {}, /Clair's layer answer is not JSON/],
    ['a layer answer without Layer', { status: 200, body: '{"Error":{"Message":"x"}}' }, {}, /has no Layer object/],
    [
      'a namespace answering 500',
      clairLayer(NAME, 'debian:12', [openssl]),
      { 'debian:12': { status: 500, body: '{}' } },
      /Clair's answer for namespace debian:12: HTTP 500/,
    ],
    [
      'a namespace answer that is not JSON',
      clairLayer(NAME, 'debian:12', [openssl]),
      { 'debian:12': { status: 200, body: 'garbage' } },
      /namespace debian:12: the answer is not JSON/,
    ],
    [
      'a namespace answer without a Vulnerabilities list',
      clairLayer(NAME, 'debian:12', [openssl]),
      { 'debian:12': { status: 200, body: '{"Vulnerabilities":"none"}' } },
      /namespace debian:12: no Vulnerabilities list/,
    ],
  ])('fails on %s', (_what, layer, namespaces, message) => {
    expect(gaps(layer, namespaces).error).toMatch(message);
  });
});
