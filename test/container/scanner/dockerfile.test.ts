import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../../helpers/run-script';

// Docker cannot pull base images where the tests run, so the Dockerfiles are checked by reading
// them here, and every script they copy in is tested by running it (scan-image.test.ts).
const read = (image: string): string => fs.readFileSync(path.join(REPO_ROOT, 'container', image, 'Dockerfile'), 'utf8');
const scanner = read('scanner');
const canary = read('canary');

function baseImages(dockerfile: string): string[] {
  return [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
}

test.each([
  ['scanner', scanner],
  ['canary', canary],
])('the %s image starts from exact tags on public ECR', (_name, dockerfile) => {
  const bases = baseImages(dockerfile);
  expect(bases.length).toBeGreaterThan(0);
  for (const base of bases) {
    expect(base).toMatch(/^public\.ecr\.aws\/docker\/library\/[a-z]+:[a-z0-9.-]*\d[a-z0-9.-]*(@sha256:[0-9a-f]{64})?$/);
    expect(base).not.toMatch(/:latest\b/);
  }
});

test('the scanner image copies in only files that exist beside its Dockerfile', () => {
  const sources = [...scanner.matchAll(/^COPY\s+(?!--from)(\S+)\s/gm)].map((m) => m[1]);
  expect(sources).toEqual(['scan-image', 'scan-image.js', 'rescan-images', 'rescan-images.js']);
  for (const source of sources) {
    expect(fs.existsSync(path.join(REPO_ROOT, 'container', 'scanner', source))).toBe(true);
  }
});

test('the scanner image builds klar from its full pinned commit in GOPATH mode with the missing vendored package', () => {
  expect(scanner).toMatch(/^ARG KLAR_TAG=v2\.4\.0$/m);
  // The full id of v2.4.0 (the commit tag v2.4.0 points to upstream), compared whole, never as a prefix.
  expect(scanner).toMatch(/^ARG KLAR_COMMIT=0bd846c967e90bba25f7ee174472e9e1311eda13$/m);
  expect(scanner).toMatch(/if \[ "\$commit" = "\$KLAR_COMMIT" \]; then .*\s*else .*exit 1; fi/);
  expect(scanner).not.toMatch(/PREFIX/);
  expect(scanner).toMatch(/^ARG CLAIR_VENDOR_COMMIT=b1cd09231990e44bc3376f95dcb94e2c3026a1ec$/m);
  expect(scanner).toMatch(/^ENV GO111MODULE=off /m);
  expect(scanner).toContain('vendor/github.com/coreos/clair/database');
});

test('the scanner image installs what scan-image runs: Node for the gate, bash for its command, the AWS CLI', () => {
  const install = /apt-get install -y --no-install-recommends ([^\n\\]+)/.exec(scanner);
  expect(install?.[1].trim().split(/\s+/)).toEqual(expect.arrayContaining(['awscli', 'bash', 'nodejs']));
});

test('the scanner image proves at build time that Node loads the whole gate (exit 2 without IMAGE_URI)', () => {
  expect(scanner).toContain(
    '{ env -i PATH=/usr/local/bin:/usr/bin:/bin scan-image >/dev/null 2>&1; test "$?" -eq 2; }',
  );
  expect(scanner).toContain(
    '{ env -i PATH=/usr/local/bin:/usr/bin:/bin rescan-images >/dev/null 2>&1; test "$?" -eq 2; }',
  );
});

test('the scanner image runs as a non-root user and installs the gate as scan-image', () => {
  expect(scanner).toMatch(/^USER scanner$/m);
  expect(scanner).toContain('ln -s /opt/scan-image/scan-image /usr/local/bin/scan-image');
  expect(scanner).toContain('COPY --from=klar /out/klar /usr/local/bin/klar');
});

test('the canary image is only scanned: it runs nothing at build time', () => {
  expect(canary).not.toMatch(/^RUN\b/m);
});
