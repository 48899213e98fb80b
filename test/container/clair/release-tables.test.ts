import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../../helpers/run-script';

const source = fs.readFileSync(path.join(REPO_ROOT, 'container', 'clair', 'releases_extension.go'), 'utf8');

/** The entries of the Go map literal `var <name> = map[string]string{...}` in the file. */
function mapLiteral(name: string): Record<string, string> {
  const body = new RegExp(`var ${name} = map\\[string\\]string\\{([^}]*)\\}`).exec(source);
  if (!body) throw new Error(`no map literal ${name} in releases_extension.go`);
  return Object.fromEntries([...body[1].matchAll(/"([^"]+)":\s*"([^"]+)"/g)].map((m) => [m[1], m[2]]));
}

/** The body of the file's init function. */
function initBody(): string {
  const body = /\nfunc init\(\) \{\n([\s\S]*?)\n\}\n/.exec(source);
  if (!body) throw new Error('no init function in releases_extension.go');
  return body[1];
}

test("belongs to Clair's database package, where the release tables live", () => {
  expect(source).toMatch(/^package database$/m);
});

// The newest releases upstream's v2.1.8 tables already map (the reference sheet: upstream stops
// at Debian 11 and Ubuntu 20.04); the extension adds everything after them.
const UPSTREAM_NEWEST_DEBIAN = { buster: '10', bullseye: '11' };
const UPSTREAM_NEWEST_UBUNTU = { focal: '20.04' };

/** The code names of a table (class names such as `stable` left out). */
const codeNames = (table: Record<string, string>) =>
  Object.fromEntries(Object.entries(table).filter(([name]) => !/stable|testing/.test(name)));

test('maps every Debian code name from buster on to its version, and nothing else', () => {
  expect(codeNames({ ...UPSTREAM_NEWEST_DEBIAN, ...mapLiteral('currentDebianReleases') })).toEqual({
    buster: '10',
    bullseye: '11',
    bookworm: '12',
    trixie: '13',
    forky: '14',
  });
});

test("moves Debian's class names to today's releases", () => {
  // Class names as they stand since August 2025 (trixie stable).
  expect(mapLiteral('currentDebianReleases')).toMatchObject({
    oldoldstable: '11',
    oldstable: '12',
    stable: '13',
    testing: '14',
  });
});

test('maps every Ubuntu release from focal on to its version, end-of-life ones included, and nothing else', () => {
  expect({ ...UPSTREAM_NEWEST_UBUNTU, ...mapLiteral('currentUbuntuReleases') }).toEqual({
    focal: '20.04',
    groovy: '20.10',
    hirsute: '21.04',
    impish: '21.10',
    jammy: '22.04',
    kinetic: '22.10',
    lunar: '23.04',
    mantic: '23.10',
    noble: '24.04',
    oracular: '24.10',
    plucky: '25.04',
    questing: '25.10',
    resolute: '26.04',
  });
});

test('writes version strings in the form upstream uses', () => {
  for (const version of Object.values(mapLiteral('currentDebianReleases'))) expect(version).toMatch(/^\d+$/);
  for (const version of Object.values(mapLiteral('currentUbuntuReleases'))) expect(version).toMatch(/^\d\d\.(04|10)$/);
});

test("only sets entries in upstream's tables: it neither replaces nor deletes them", () => {
  const statements = initBody()
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== '}');
  expect(statements).toEqual([
    'for name, version := range currentDebianReleases {',
    'DebianReleasesMapping[name] = version',
    'for name, version := range currentUbuntuReleases {',
    'UbuntuReleasesMapping[name] = version',
  ]);
  expect(source).not.toMatch(/\b(Debian|Ubuntu)ReleasesMapping\s*=/);
  expect(source).not.toMatch(/\bdelete\(/);
});
