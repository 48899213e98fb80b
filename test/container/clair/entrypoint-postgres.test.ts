import { runAsSuperuser, TestPostgres, testPostgres } from '../../helpers/postgres';
import { RunScriptResult, runScriptAsync } from '../../helpers/run-script';
import { runEntrypoint } from './entrypoint';

/**
 * Proves the rendered connection string against a real PostgreSQL set up like our RDS database
 * (md5 password hashes, TLS required): psql connects with exactly `database.options.source` from
 * the rendered config plus PGPASSWORD, as Clair's driver would.
 */

interface Credentials {
  readonly what: string;
  readonly user: string;
  readonly password: string;
  readonly database?: string;
}

const suffix = `${process.pid}_${Date.now()}`;
const hostileDatabase = `clair db:'x'/"y"\\z#?%41 é ${suffix}`;

const passwords: Array<[string, string]> = [
  ['a space', 'correct horse battery'],
  ['single quotes', "it's 'quoted'"],
  ['double quotes', 'say "cheese"'],
  ['backslashes', 'back\\slash\\'],
  ['a colon', 'user:pass'],
  ['at signs', 'p@ss@host'],
  ['slashes', '/etc/passwd/'],
  ['percent signs', '100% %zz %41'],
  ['dollar signs', '$HOME ${PATH} $(id)'],
  ['a hash', '#not-a-comment'],
  ['unicode', 'pässwörd-€-密码-🔑'],
  ['all of them at once', ` '"\\:@/%$#?&=;é `],
];

const credentials: Credentials[] = [
  ...passwords.map(([what, password], i) => ({
    what: `a password with ${what}`,
    user: `clair_${i}_${suffix}`,
    password,
  })),
  {
    what: 'a user and database named with quotes, colons, slashes and spaces',
    user: `cl'air:us"er/x \\y ${suffix}`,
    password: 'p:a/s%s',
    database: hostileDatabase,
  },
];

/**
 * Every credential is tried with verify-full; with require, which renders the same quoting, only
 * the two that hold every hostile character, to keep the file fast.
 */
const attemptsByMode: Record<string, Credentials[]> = {
  'verify-full': credentials,
  require: credentials.slice(-2),
};

let pg: TestPostgres;
/** psql's results, by `${sslmode} ${user}`, and for the two negative cases. */
const connections = new Map<string, RunScriptResult>();

beforeAll(async () => {
  pg = testPostgres();
  createRolesAndDatabase();

  // Each psql takes a while to start, so all connections are made at once, then checked one by one.
  const attempts: Array<[string, Promise<RunScriptResult>]> = [];
  for (const [sslmode, tried] of Object.entries(attemptsByMode)) {
    for (const c of tried) {
      attempts.push([`${sslmode} ${c.user}`, connect(renderSource(c, { DB_SSLMODE: sslmode }), c.password)]);
    }
  }
  const first = credentials[0];
  attempts.push(['wrong password', connect(renderSource(first, {}), `${first.password}-wrong`)]);
  const insecure = { DB_SSLMODE: 'disable', CLAIR_ALLOW_INSECURE_DB: 'true' };
  attempts.push(['without TLS', connect(renderSource(first, insecure), first.password)]);
  for (const [key, attempt] of attempts) connections.set(key, await attempt);
});

afterAll(() => {
  if (!pg) return;
  const variables: Record<string, string> = { db: hostileDatabase };
  const sql = ['DROP DATABASE IF EXISTS :"db";'];
  credentials.forEach((c, i) => {
    variables[`u${i}`] = c.user;
    sql.push(`DROP ROLE IF EXISTS :"u${i}";`);
  });
  runAsSuperuser(pg, sql.join('\n'), variables);
});

function createRolesAndDatabase(): void {
  const variables: Record<string, string> = { db: hostileDatabase };
  const sql = ['CREATE DATABASE :"db";'];
  credentials.forEach((c, i) => {
    variables[`u${i}`] = c.user;
    variables[`p${i}`] = c.password;
    // No SET password_encryption here: the server's md5 setting must be what stores it as md5.
    sql.push(`CREATE ROLE :"u${i}" LOGIN PASSWORD :'p${i}';`);
  });
  const created = runAsSuperuser(pg, sql.join('\n'), variables);
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
}

/** Renders the config for `c` and returns its database.options.source. */
function renderSource(c: Credentials, settings: Record<string, string>): string {
  const run = runEntrypoint({
    DB_HOST: pg.host,
    DB_PORT: pg.port,
    DB_NAME: c.database ?? pg.database,
    DB_USER: c.user,
    DB_PASSWORD: c.password,
    DB_SSLROOTCERT: pg.ca,
    ...settings,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.config!.clair.database.options.source;
}

/** Connects with psql using only `source` and PGPASSWORD; prints the user and database. */
function connect(source: string, password: string): Promise<RunScriptResult> {
  const args = ['-X', '-At', '-z', `--dbname=${source}`, '-c', 'select current_user, current_database()'];
  return runScriptAsync('psql', args, { env: { PATH: process.env.PATH, PGPASSWORD: password } });
}

describe.each(Object.keys(attemptsByMode))('with sslmode %s', (sslmode) => {
  test.each(attemptsByMode[sslmode])('connects with $what', (c) => {
    const result = connections.get(`${sslmode} ${c.user}`)!;

    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${c.user}\0${c.database ?? pg.database}\n`);
    expect(result.status).toBe(0);
  });
});

test('fails to connect with a wrong password', () => {
  const result = connections.get('wrong password')!;

  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(/password authentication failed/);
});

test('is refused without TLS, as RDS refuses it', () => {
  const result = connections.get('without TLS')!;

  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(/no encryption/);
});

test("stores every password as an md5 hash, which Clair's 2017 driver can use", () => {
  const variables: Record<string, string> = {};
  credentials.forEach((c, i) => (variables[`u${i}`] = c.user));
  const roles = credentials.map((_, i) => `:'u${i}'`).join(', ');
  const sql = `SELECT left(rolpassword, 3) FROM pg_authid WHERE rolname IN (${roles});`;
  const result = runAsSuperuser(pg, sql, variables);

  expect(result.stderr).toBe('');
  expect(result.stdout.trim().split('\n')).toEqual(credentials.map(() => 'md5'));
});
