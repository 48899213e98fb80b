import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseConninfo } from './conninfo';
import { EntrypointCase, EntrypointRun, runEntrypoints } from './entrypoint';
import { goUrlParseError } from './go-url-parse';

// Distinctive secrets, so a leak into any output is easy to spot.
const PASSWORD = `pw-LEAK-CHECK 'q' "d" \\ : @ / % $ #`;
const PAGINATION_KEY = `${Buffer.from('clair-test-pagination-key-32byte').toString('base64url')}=`;
/** 43 letters and digits, as Secrets Manager generates a pagination key. */
const GENERATED_KEY = `${'aB3'.repeat(14)}z`;
const BUNDLED_CA = '/etc/ssl/rds/global-bundle.pem';

/** Values with every character that needs quoting in a connection string or a URL. */
const HOSTILE = {
  DB_HOST: 'db:host/with spaces \'quotes\' "double" \\back#hash?q',
  DB_NAME: "cl:air/db %41 'x' \\y #z ?w é",
  DB_USER: 'us:er@realm/x %2F \'o\' "d" \\ ünï',
};

/**
 * Accepted intervals, each with the run that carries it: a run made for other tests, none of
 * which reads the interval, so that no run is made for an interval alone.
 */
const INTERVALS = [
  ['90m', 'hostile'],
  ['1h30m', 'port, sslmode and CA'],
  ['1.5h', 'insecure'],
  ['3600s', 'pagination key'],
  ['0', 'generated pagination key'],
];
/** Log levels as set, and as clair must get them. */
const LOG_LEVELS = [
  ['warning', 'warning'],
  ['ERROR', 'error'],
];

/**
 * Each case overrides the base settings (undefined: removes one); the one-line error must name
 * the first setting overridden.
 */
const REFUSALS: Array<[string, Record<string, string | undefined>]> = [
  ['without DB_HOST', { DB_HOST: undefined }],
  ['with an empty DB_HOST', { DB_HOST: '' }],
  ['without DB_NAME', { DB_NAME: undefined }],
  ['without DB_USER', { DB_USER: undefined }],
  ['without DB_PASSWORD', { DB_PASSWORD: undefined }],
  ['with a port that is not a number', { DB_PORT: 'abc' }],
  ['with port 0', { DB_PORT: '0' }],
  ['with a port above 65535', { DB_PORT: '65536' }],
  ['with a huge port', { DB_PORT: '99999999999999999999' }],
  ['with a negative port', { DB_PORT: '-1' }],
  ['with a port followed by text', { DB_PORT: '5432 ' }],
  ['with sslmode prefer, which lib/pq rejects', { DB_SSLMODE: 'prefer' }],
  ['with sslmode allow, which lib/pq rejects', { DB_SSLMODE: 'allow' }],
  ['with an unknown sslmode', { DB_SSLMODE: 'on' }],
  ['with sslmode disable when insecure is not allowed', { DB_SSLMODE: 'disable' }],
  ['with CLAIR_ALLOW_INSECURE_DB not true or false', { CLAIR_ALLOW_INSECURE_DB: 'yes' }],
  ['with a relative DB_SSLROOTCERT', { DB_SSLROOTCERT: 'ca.pem' }],
  ['when verify-full has no CA file', { DB_SSLROOTCERT: undefined }],
  ['when verify-ca has no CA file', { DB_SSLMODE: 'verify-ca', DB_SSLROOTCERT: '/nonexistent/ca.pem' }],
  ['with a newline in DB_HOST', { DB_HOST: 'db\nINJECTED' }],
  ['with a tab in DB_USER', { DB_USER: 'cl\tair' }],
  ["with a '%' Clair's url.Parse cannot read in DB_NAME", { DB_NAME: 'clair%zz' }],
  ['with a pagination key of the wrong length', { CLAIR_PAGINATION_KEY: PAGINATION_KEY.slice(1) }],
  ['with a pagination key that is not URL-safe base64', { CLAIR_PAGINATION_KEY: `+/${PAGINATION_KEY.slice(2)}` }],
  ['with a pagination key in hex, which older fernet-go cannot read', { CLAIR_PAGINATION_KEY: 'ab'.repeat(32) }],
  ['without the pagination key it requires', { CLAIR_REQUIRE_PAGINATION_KEY: 'true' }],
  ['with CLAIR_REQUIRE_PAGINATION_KEY not true or false', { CLAIR_REQUIRE_PAGINATION_KEY: '1' }],
  ['with an interval in words', { CLAIR_UPDATER_INTERVAL: '2 hours' }],
  ['with an interval in days, which Go cannot parse', { CLAIR_UPDATER_INTERVAL: '1d' }],
  ['with an interval without a unit', { CLAIR_UPDATER_INTERVAL: '10' }],
  ['with a negative interval', { CLAIR_UPDATER_INTERVAL: '-1h' }],
  ['with a sub-second interval', { CLAIR_UPDATER_INTERVAL: '500ms' }],
  ['with an unknown log level', { CLAIR_LOG_LEVEL: 'verbose' }],
  ["with log level trace, which Clair's logrus lacks", { CLAIR_LOG_LEVEL: 'trace' }],
  ['with a relative CLAIR_CONFIG', { CLAIR_CONFIG: 'config.yaml' }],
  ["with a '$' in CLAIR_CONFIG, which Clair would expand", { CLAIR_CONFIG: '/etc/$HOME/c.yaml' }],
  ['with a directory as CLAIR_CONFIG', { CLAIR_CONFIG: '/etc/clair/' }],
];

let workDir: string;
let caFile: string;
let defaultCommandConfig: string;
let base: Record<string, string>;
/** Every run of the entrypoint that the tests check, by name. */
let runs: Record<string, EntrypointRun>;

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clair-render-'));
  // The entrypoint only checks that the CA file is readable; psql tests check real TLS.
  caFile = path.join(workDir, 'ca.pem');
  fs.writeFileSync(caFile, 'test CA\n');
  base = {
    DB_HOST: 'clair-db.example.internal',
    DB_NAME: 'clair',
    DB_USER: 'clair',
    DB_PASSWORD: PASSWORD,
    DB_SSLROOTCERT: caFile,
  };
  // A directory that does not exist yet: the entrypoint must make it.
  defaultCommandConfig = path.join(workDir, 'default-command', 'config.yaml');
  // A stub `clair` that prints its arguments, one a line.
  const stubBin = path.join(workDir, 'bin');
  fs.mkdirSync(stubBin);
  fs.writeFileSync(path.join(stubBin, 'clair'), '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });

  // All runs are made at once, from one shell; the tests check them one by one.
  const cases: Record<string, EntrypointCase> = {
    // require, because verify-full needs the bundled CA file, which exists only in the image.
    'required only': { env: { ...without('DB_SSLROOTCERT'), DB_SSLMODE: 'require' } },
    base: { env: base },
    'clair environment': {
      env: { ...base, CLAIR_PAGINATION_KEY: PAGINATION_KEY, PGHOSTADDR: '10.0.0.1', PGSSLMODE: 'disable' },
      command: ['env'],
    },
    'default command': {
      env: { ...base, CLAIR_CONFIG: defaultCommandConfig, CLAIR_LOG_LEVEL: 'Debug' },
      command: [],
      extraPath: stubBin,
    },
    hostile: { env: { ...base, ...HOSTILE } },
    'port, sslmode and CA': { env: { ...base, DB_PORT: '6543', DB_SSLMODE: 'verify-ca' } },
    insecure: { env: { ...base, DB_SSLMODE: 'disable', CLAIR_ALLOW_INSECURE_DB: 'true' } },
    'pagination key': {
      env: { ...base, CLAIR_PAGINATION_KEY: PAGINATION_KEY, CLAIR_REQUIRE_PAGINATION_KEY: 'true' },
    },
    'generated pagination key': { env: { ...base, CLAIR_PAGINATION_KEY: GENERATED_KEY } },
    'pagination key not required': { env: { ...base, CLAIR_REQUIRE_PAGINATION_KEY: 'false' } },
  };
  for (const [interval, name] of INTERVALS) {
    cases[name] = { ...cases[name], env: { ...cases[name].env, CLAIR_UPDATER_INTERVAL: interval } };
  }
  for (const [level] of LOG_LEVELS) {
    cases[`log level ${level}`] = { env: { ...base, CLAIR_LOG_LEVEL: level }, command: [], extraPath: stubBin };
  }
  for (const [what, overrides] of REFUSALS) {
    const settings = Object.fromEntries(
      Object.entries({ ...base, ...overrides }).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    cases[`refused ${what}`] = { env: settings, command: ['sh', '-c', 'echo started'] };
  }
  const results = runEntrypoints(Object.values(cases));
  runs = Object.fromEntries(Object.keys(cases).map((name, i) => [name, results[i]]));
});

afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** The base settings without one of them. */
function without(name: string): Record<string, string> {
  const env = { ...base };
  delete env[name];
  return env;
}

/** The connection string's settings of a run that must have succeeded. */
function sourceOf(run: EntrypointRun): Record<string, string> {
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return parseConninfo(run.config!.clair.database.options.source);
}

describe('with only the required settings', () => {
  test('renders every key Clair v2.1.8 reads, with our defaults and the bundled RDS CA', () => {
    const run = runs['required only'];

    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
    expect(run.config).toEqual({
      clair: {
        database: {
          type: 'pgsql',
          options: {
            source: expect.any(String),
            cachesize: 16384,
            managedatabaselifecycle: false,
          },
        },
        api: { port: 6060, healthport: 6061, timeout: '900s' },
        updater: { interval: '2h' },
        notifier: { attempts: 3, renotifyinterval: '2h' },
      },
    });
    expect(parseConninfo(run.config!.clair.database.options.source)).toEqual({
      sslrootcert: BUNDLED_CA,
      sslmode: 'require',
      host: 'clair-db.example.internal',
      port: '5432',
      dbname: 'clair',
      user: 'clair',
      connect_timeout: '10',
    });
  });

  test('verifies the server certificate and host name by default', () => {
    expect(sourceOf(runs.base)).toMatchObject({ sslmode: 'verify-full', sslrootcert: caFile });
  });

  test('writes the config readable by its owner only', () => {
    expect(runs.base.configMode).toBe(0o600);
  });

  test('leaves the password out of the config', () => {
    expect(runs.base.configText).toBeDefined();
    expect(runs.base.configText).not.toContain(PASSWORD);
    expect(sourceOf(runs.base)).not.toHaveProperty('password');
  });

  test('hands the password to the driver as PGPASSWORD', () => {
    expect(runs['clair environment'].stdout.split('\n')).toContain(`PGPASSWORD=${PASSWORD}`);
  });

  test('keeps secrets and PG* variables out of the environment Clair gets', () => {
    const run = runs['clair environment'];
    expect(run.status).toBe(0);
    // Exactly what Clair gets: the settings it reads, the password, and what any process has.
    const names = run.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('=')[0]);
    expect(names.sort()).toEqual(
      ['CLAIR_CONFIG', 'DB_HOST', 'DB_NAME', 'DB_SSLROOTCERT', 'DB_USER', 'PATH', 'PGPASSWORD', 'PWD', 'TMPDIR'].sort(),
    );
    expect(run.stdout).not.toContain(PAGINATION_KEY);
    expect(run.stderr).toBe(
      'docker-entrypoint: ignoring PGHOSTADDR PGSSLMODE: the database connection comes from DB_* settings only\n',
    );
  });

  test('runs clair with the rendered config and log level when given no command', () => {
    const run = runs['default command'];

    expect(run.stdout).toBe(`-config\n${defaultCommandConfig}\n-log-level\ndebug\n`);
    expect(fs.existsSync(defaultCommandConfig)).toBe(true);
  });
});

describe('connection string', () => {
  test('quotes every value so libpq reads it back unchanged', () => {
    expect(sourceOf(runs.hostile)).toMatchObject({
      host: HOSTILE.DB_HOST,
      dbname: HOSTILE.DB_NAME,
      user: HOSTILE.DB_USER,
    });
  });

  test("survives Go's url.Parse, which Clair runs on it before connecting", () => {
    const source = runs.hostile.config!.clair.database.options.source;
    expect(goUrlParseError(source)).toBeUndefined();
  });

  test('starts with the absolute CA path, so no later ":" can look like a URL scheme', () => {
    expect(HOSTILE.DB_HOST).toContain(':');
    expect(runs.hostile.config!.clair.database.options.source).toMatch(/^sslrootcert='\//);
  });

  test('uses DB_PORT, DB_SSLMODE and DB_SSLROOTCERT when set', () => {
    expect(sourceOf(runs['port, sslmode and CA'])).toMatchObject({
      port: '6543',
      sslmode: 'verify-ca',
      sslrootcert: caFile,
    });
  });

  test('allows sslmode disable only with CLAIR_ALLOW_INSECURE_DB=true', () => {
    expect(sourceOf(runs.insecure)).toMatchObject({ sslmode: 'disable' });
  });
});

describe('pagination key', () => {
  test('is written to api.paginationkey', () => {
    const run = runs['pagination key'];
    expect(run.status).toBe(0);
    expect(run.config!.clair.api.paginationkey).toBe(PAGINATION_KEY);
    expect(run.stdout + run.stderr).not.toContain(PAGINATION_KEY);
  });

  test("accepts 43 letters and digits, as Secrets Manager generates them, and adds the '='", () => {
    expect(runs['generated pagination key'].config!.clair.api.paginationkey).toBe(`${GENERATED_KEY}=`);
  });

  test('may be left to Clair when not required', () => {
    const run = runs['pagination key not required'];
    expect(run.status).toBe(0);
    expect(run.config!.clair.api).not.toHaveProperty('paginationkey');
  });
});

describe('updater interval and log level', () => {
  test.each(INTERVALS)('accepts the interval %s', (interval, name) => {
    const run = runs[name];
    expect(run.status).toBe(0);
    expect(run.config!.clair.updater.interval).toBe(interval);
  });

  test.each(LOG_LEVELS)('accepts the log level %s and passes it to clair as %s', (level, passed) => {
    expect(runs[`log level ${level}`].stdout.split('\n').slice(2, 4)).toEqual(['-log-level', passed]);
  });
});

describe('refuses to start', () => {
  test.each(REFUSALS)('%s', (what, overrides) => {
    const run = runs[`refused ${what}`];
    const variable = Object.keys(overrides)[0];

    expect(run.status).toBe(78);
    expect(run.stdout).toBe('');
    expect(run.configText).toBeUndefined();
    expect(run.stderr).toMatch(new RegExp(`^docker-entrypoint: [^\\n]*\\b${variable}\\b[^\\n]*\\n$`));
    expect(run.stderr).not.toContain(PASSWORD);
    const key = overrides.CLAIR_PAGINATION_KEY;
    if (key) expect(run.stderr).not.toContain(key);
    expect(run.stderr).not.toContain('INJECTED');
  });
});
