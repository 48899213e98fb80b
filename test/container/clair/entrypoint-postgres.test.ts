import { runAsSuperuser, TestPostgres, testPostgres } from '../../helpers/postgres';
import { RunScriptResult, runScript } from '../../helpers/run-script';
import { runEntrypoints } from './entrypoint';

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

/** One connection attempt: the config rendered for `credentials` with `settings`, and a password. */
interface Attempt {
  readonly key: string;
  readonly credentials: Credentials;
  readonly settings: Record<string, string>;
  readonly password: string;
}

const first = credentials[0];
/** Made in one psql session, in this order: the last one fails, which ends the session. */
const sessionAttempts: Attempt[] = [
  ...Object.entries(attemptsByMode).flatMap(([sslmode, tried]) =>
    tried.map((c) => ({
      key: `${sslmode} ${c.user}`,
      credentials: c,
      settings: { DB_SSLMODE: sslmode },
      password: c.password,
    })),
  ),
  {
    key: 'wrong password',
    credentials: first,
    settings: { DB_SSLMODE: 'verify-full' },
    password: `${first.password}-wrong`,
  },
];
/** Made by a psql of its own: a failed attempt ends a session too. */
const insecureAttempt: Attempt = {
  key: 'without TLS',
  credentials: first,
  settings: { DB_SSLMODE: 'disable', CLAIR_ALLOW_INSECURE_DB: 'true' },
  password: first.password,
};

/** The line psql prints, on stdout and on stderr, before it makes attempt number N of the session. */
const MARKER = '== attempt ';
const MARKER_LINE = new RegExp(`^${MARKER}\\d+\\n`, 'm');

let pg: TestPostgres;
/** The whole session: it ends with the status of its last, failing, attempt. */
let session: RunScriptResult;
/** What the session printed before its first attempt: the start of each role's password hash. */
let passwordHashes: Printed;
/** What psql printed for each attempt of the session, by its key. */
const printed = new Map<string, Printed>();
/** psql's result for the attempt without TLS. */
let insecure: RunScriptResult;

interface Printed {
  readonly stdout: string;
  readonly stderr: string;
}

beforeAll(() => {
  pg = testPostgres();
  const sources = renderSources([...sessionAttempts, insecureAttempt]);

  // psql takes longer to start than to connect, so one session creates the roles and the database
  // and then makes every attempt with \connect, which hands the rendered source to libpq as it is,
  // with the attempt's password in PGPASSWORD (\setenv) and nothing kept from the connection before.
  const variables: Record<string, string> = { db: hostileDatabase };
  const sql = ['CREATE DATABASE :"db";'];
  credentials.forEach((c, i) => {
    variables[`u${i}`] = c.user;
    variables[`p${i}`] = c.password;
    // No SET password_encryption here: the server's md5 setting must be what stores it as md5.
    sql.push(`CREATE ROLE :"u${i}" LOGIN PASSWORD :'p${i}';`);
  });
  const roles = credentials.map((_, i) => `:'u${i}'`).join(', ');
  sql.push(`SELECT left(rolpassword, 3) FROM pg_authid WHERE rolname IN (${roles});`);
  sql.push('\\pset fieldsep_zero on');
  sessionAttempts.forEach((attempt, i) => {
    variables[`s${i}`] = sources.get(attempt.key)!;
    variables[`w${i}`] = attempt.password;
    sql.push(`\\echo '${MARKER}${i}'`, `\\warn '${MARKER}${i}'`);
    // In a backslash command :name is the variable's value as it is, but \\connect then reads its
    // argument as an SQL identifier and strips double quotes: :"name" quotes the value as one.
    sql.push(`\\setenv PGPASSWORD :w${i}`, `\\connect :"s${i}"`, 'SELECT current_user, current_database();');
  });
  session = runAsSuperuser(pg, sql.join('\n'), variables);
  const stdout = session.stdout.split(MARKER_LINE);
  const stderr = session.stderr.split(MARKER_LINE);
  passwordHashes = { stdout: stdout[0], stderr: stderr[0] };
  sessionAttempts.forEach((attempt, i) => printed.set(attempt.key, { stdout: stdout[i + 1], stderr: stderr[i + 1] }));

  insecure = connect(sources.get(insecureAttempt.key)!, insecureAttempt.password);
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

/**
 * Renders the config of every attempt and returns their database.options.source by key; attempts
 * with the same settings share one run, and all runs are made in one batch.
 */
function renderSources(attempts: Attempt[]): Map<string, string> {
  const envs = new Map<string, Record<string, string>>();
  const envKeys = attempts.map(({ credentials: c, settings }) => {
    const env = {
      DB_HOST: pg.host,
      DB_PORT: pg.port,
      DB_NAME: c.database ?? pg.database,
      DB_USER: c.user,
      DB_PASSWORD: c.password,
      DB_SSLROOTCERT: pg.ca,
      ...settings,
    };
    const envKey = JSON.stringify(env);
    envs.set(envKey, env);
    return envKey;
  });
  const runs = runEntrypoints([...envs.values()].map((env) => ({ env })));
  const sources = new Map(
    [...envs.keys()].map((envKey, i) => {
      expect(runs[i].stderr).toBe('');
      expect(runs[i].status).toBe(0);
      return [envKey, runs[i].config!.clair.database.options.source];
    }),
  );
  return new Map(attempts.map((attempt, i) => [attempt.key, sources.get(envKeys[i])!]));
}

/** Connects with psql using only `source` and PGPASSWORD; prints the user and database. */
function connect(source: string, password: string): RunScriptResult {
  const args = ['-X', '-At', '-z', `--dbname=${source}`, '-c', 'select current_user, current_database()'];
  return runScript('psql', args, { env: { PATH: process.env.PATH, PGPASSWORD: password } });
}

describe.each(Object.keys(attemptsByMode))('with sslmode %s', (sslmode) => {
  test.each(attemptsByMode[sslmode])('connects with $what', (c) => {
    const result = printed.get(`${sslmode} ${c.user}`)!;

    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${c.user}\0${c.database ?? pg.database}\n`);
  });
});

test('fails to connect with a wrong password', () => {
  const result = printed.get('wrong password')!;

  // The session's last attempt: had it connected, its query would print and psql exit with 0.
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/password authentication failed/);
  expect(session.status).not.toBe(0);
});

test('is refused without TLS, as RDS refuses it', () => {
  expect(insecure.status).not.toBe(0);
  expect(insecure.stderr).toMatch(/no encryption/);
});

test("stores every password as an md5 hash, which Clair's 2017 driver can use", () => {
  expect(passwordHashes.stderr).toBe('');
  expect(passwordHashes.stdout.trim().split('\n')).toEqual(credentials.map(() => 'md5'));
});
