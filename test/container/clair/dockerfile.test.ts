import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../../helpers/run-script';

const dir = path.join(REPO_ROOT, 'container', 'clair');

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** The Dockerfile's instructions, with continuation lines joined and comments dropped. */
function instructions(): Instruction[] {
  const text = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '');
  return logical.map((line) => {
    const [, keyword, args] = /^\s*(\S+)\s*(.*)$/.exec(line)!;
    return { keyword: keyword.toUpperCase(), args: args.replace(/\s+/g, ' ').trim() };
  });
}

const all = instructions();
const args = (keyword: string) => all.filter((i) => i.keyword === keyword).map((i) => i.args);
const runs = args('RUN');
const argDefaults = Object.fromEntries(args('ARG').map((a) => a.split('=') as [string, string]));
/** `text` with $NAME and ${NAME} replaced by the ARG defaults. */
const resolve = (text: string) => text.replace(/\$\{?(\w+)\}?/g, (m, name: string) => argDefaults[name] ?? m);

test('pulls every base image from the ECR Public mirror by exact version and digest', () => {
  const images = args('FROM').map((from) => from.split(' ')[0]);
  expect(images.length).toBeGreaterThan(0);
  const exactVersion = /^public\.ecr\.aws\/docker\/library\/[a-z0-9-]+:\d+\.\d+\.\d+[a-z0-9.-]*@sha256:[0-9a-f]{64}$/;
  for (const image of images) expect(image).toMatch(exactVersion);
});

test('builds Clair from tag v2.1.8 and refuses any commit but its full id', () => {
  expect(argDefaults.CLAIR_VERSION).toBe('v2.1.8');
  // The full id of v2.1.8 (the commit tag v2.1.8 points to upstream).
  expect(argDefaults.CLAIR_COMMIT).toBe('0df32f245559498d5420088a6235a02710c3575d');
  const clone = runs.find((run) => run.includes('git') && run.includes(' clone '));
  expect(clone).toContain('--branch "$CLAIR_VERSION" https://github.com/quay/clair.git');
  expect(clone).toContain('sh /usr/local/bin/verify-checkout.sh . "$CLAIR_COMMIT"');
});

test('pins the goquery module that upstream go.mod is missing', () => {
  expect(argDefaults.GOQUERY_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
  expect(runs.map(resolve)).toContainEqual(
    expect.stringContaining(`go get "github.com/PuerkitoBio/goquery@${argDefaults.GOQUERY_VERSION}"`),
  );
});

test('builds a static binary that reports version v2.1.8', () => {
  expect(args('ENV').join(' ')).toMatch(/\bCGO_ENABLED=0\b/);
  const build = runs.map(resolve).find((run) => run.startsWith('go build'));
  expect(build).toContain('-X github.com/quay/clair/v2/pkg/version.Version=v2.1.8');
  expect(build).toMatch(/\.\/cmd\/clair$/);
});

test("adds our release tables as a new file in Clair's database package and edits no upstream file", () => {
  expect(args('COPY')).toContain('releases_extension.go database/releases_extension.go');
  expect(runs.join('\n')).toContain('test ! -e database/releases_extension.go');
  for (const run of runs) expect(run).not.toMatch(/\bsed -i|\bpatch\b|git apply|perl -p?i/);
});

test('bundles the RDS CA at the path the entrypoint uses by default, after checking it', () => {
  const entrypoint = fs.readFileSync(path.join(dir, 'docker-entrypoint.sh'), 'utf8');
  const defaultPath = /DB_SSLROOTCERT:-([^}]+)\}/.exec(entrypoint)![1];
  expect(args('COPY')).toContain(`--from=rds-ca /global-bundle.pem ${defaultPath}`);
  expect(runs.join('\n')).toContain(
    "sh /usr/local/bin/verify-ca-bundle.sh /global-bundle.pem 'Amazon Web Services, Inc.'",
  );
});

test('installs the tools Clair runs: git, rpm and xz', () => {
  const apkAdds = runs.filter((run) => run.includes('apk add'));
  const runtime = apkAdds[apkAdds.length - 1];
  for (const tool of ['git', 'rpm', 'xz', 'ca-certificates']) expect(runtime.split(' ')).toContain(tool);
});

test('declares /tmp and /etc/clair as volumes, so ECS volumes there keep their owner and mode', () => {
  expect(args('VOLUME')).toEqual(['["/tmp", "/etc/clair"]']);
  expect(runs.join('\n')).toContain('install -d -o clair -g clair -m 0700 /etc/clair');
});

test('runs as a non-root user', () => {
  const users = args('USER');
  expect(users.length).toBeGreaterThan(0);
  expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
});

test('exposes the API and health ports', () => {
  expect(args('EXPOSE')).toEqual(['6060 6061']);
});

test('starts through the entrypoint, which runs clair from PATH', () => {
  expect(args('ENTRYPOINT')).toEqual(['["/bin/sh", "/usr/local/bin/docker-entrypoint.sh"]']);
  expect(args('COPY')).toContain('docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh');
  expect(args('COPY')).toContain('--from=clair-build /out/clair /usr/local/bin/clair');
});
