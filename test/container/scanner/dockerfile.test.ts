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
  expect(sources).toEqual(['klar-patches/', 'scan-image', 'scan-image.js', 'rescan-images', 'rescan-images.js']);
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

describe('the klar patches', () => {
  const dir = path.join(REPO_ROOT, 'container', 'scanner', 'klar-patches');
  const files = fs.readdirSync(dir).sort();
  const patches = files.map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), 'utf8') }));
  // A line at which GNU patch starts reading a diff (unified, context or git).
  const diffStart = /^(diff |Index: |--- |\+\+\+ |\*\*\* |@@ )/m;

  test('are numbered patch files, in the order of their names, with nothing else beside them', () => {
    expect(files.length).toBeGreaterThan(0);
    files.forEach((name, i) =>
      expect(name).toMatch(new RegExp(`^${String(i + 1).padStart(2, '0')}-[a-z0-9-]+\\.patch$`)),
    );
  });

  test.each(patches)('$name says why before its diff, where patch ignores it', ({ text }) => {
    const start = diffStart.exec(text);
    expect(start?.[0]).toBe('diff ');
    const header = text.slice(0, start!.index);
    expect(header).toMatch(/^Why: \S/);
    expect(header).toMatch(/\nWhat: \S/);
  });

  test.each(patches)('$name is a -p1 unified diff whose hunks count their lines', ({ text }) => {
    const body = text.slice(diffStart.exec(text)!.index).split('\n');
    if (body[body.length - 1] === '') body.pop();
    let hunks = 0;
    for (let i = 0; i < body.length; i++) {
      const files = /^diff --git a\/(\S+) b\/(\S+)$/.exec(body[i]);
      if (files) expect(files[1]).toBe(files[2]);
      const hunk = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(body[i]);
      if (!hunk) continue;
      hunks++;
      let [old, now] = [Number(hunk[1] ?? 1), Number(hunk[2] ?? 1)];
      while (old > 0 || now > 0) {
        const line = body[++i];
        if (line === '\\ No newline at end of file') continue;
        if (line.startsWith(' ')) [old, now] = [old - 1, now - 1];
        else if (line.startsWith('-')) old--;
        else if (line.startsWith('+')) now--;
        else throw new Error(`hunk ended early at line ${i + 1}: ${line}`);
      }
      expect([old, now]).toEqual([0, 0]);
    }
    expect(hunks).toBeGreaterThan(0);
    expect(body.filter((line) => line.startsWith('+++ ')).every((line) => line.startsWith('+++ b/'))).toBe(true);
  });

  test('are all applied with patch -p1 in the order of their names, right after the commit check, failing the build if one does not apply', () => {
    const commitCheck = scanner.indexOf('refusing to build" >&2; exit 1; fi');
    const copy = scanner.indexOf('COPY klar-patches/ /tmp/klar-patches/');
    const apply = scanner.indexOf("for p in $(find /tmp/klar-patches -name '*.patch' | LC_ALL=C sort); do");
    const vendorFix = scanner.indexOf('vendor/github.com/coreos/clair/database');
    const build = scanner.indexOf('go build');
    expect(commitCheck).toBeGreaterThan(0);
    // Nothing but comments and blank lines between the commit check and the patches.
    const between = scanner.slice(commitCheck, copy).split('\n').slice(1);
    expect(between.every((line) => line === '' || line.startsWith('#'))).toBe(true);
    expect(copy).toBeGreaterThan(commitCheck);
    expect(apply).toBeGreaterThan(copy);
    expect(vendorFix).toBeGreaterThan(apply);
    expect(build).toBeGreaterThan(vendorFix);
    const loop = scanner.slice(apply, scanner.indexOf('done', apply));
    expect(loop).toContain('patch -p1 --forward --fuzz=0 --no-backup-if-mismatch <"$p"');
    expect(loop).toMatch(/\|\| \{ echo "[^"]*does not apply[^"]*" >&2; exit 1; \}/);
    expect(scanner).toMatch(/apt-get install -y --no-install-recommends patch\b/);
  });
});

test('the scanner image installs what scan-image runs: Node for the gate, bash for its command, the AWS CLI', () => {
  // The last install is the final stage's (the klar stage installs patch).
  const install = [...scanner.matchAll(/apt-get install -y --no-install-recommends ([^\n\\]+)/g)].pop();
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
