import { requiredEnv } from './required-env';
import { runScript, RunScriptResult } from './run-script';

/** The throwaway PostgreSQL server that scripts/with-postgres.sh starts around the tests. */
export interface TestPostgres {
  /** Host name its server certificate is valid for. */
  readonly host: string;
  readonly port: string;
  /** Path of the CA certificate that signed the server certificate. */
  readonly ca: string;
  /** A database every role may connect to. */
  readonly database: string;
  /** Superuser role, reachable without a password through the Unix socket. */
  readonly superuser: string;
  /** Directory of that Unix socket. */
  readonly socketDir: string;
}

/**
 * Reads the server's coordinates from the TEST_PG_* variables that scripts/with-postgres.sh
 * exports. Throws when they are missing, so a test that needs the server fails instead of skipping.
 */
export function testPostgres(): TestPostgres {
  const env = requiredEnv(
    ['TEST_PG_HOST', 'TEST_PG_PORT', 'TEST_PG_CA', 'TEST_PG_DATABASE', 'TEST_PG_SUPERUSER', 'TEST_PG_SOCKET_DIR'],
    'the PostgreSQL server',
    'with-postgres.sh',
  );
  return {
    host: env.TEST_PG_HOST,
    port: env.TEST_PG_PORT,
    ca: env.TEST_PG_CA,
    database: env.TEST_PG_DATABASE,
    superuser: env.TEST_PG_SUPERUSER,
    socketDir: env.TEST_PG_SOCKET_DIR,
  };
}

/**
 * Runs the SQL script `sql` with psql as the superuser, stopping at the first error. `variables`
 * become psql variables, so values are quoted by psql itself: `:'name'` as a literal, `:"name"` as
 * an identifier.
 */
export function runAsSuperuser(pg: TestPostgres, sql: string, variables: Record<string, string> = {}): RunScriptResult {
  const args = ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1'];
  args.push('-h', pg.socketDir, '-p', pg.port, '-U', pg.superuser, '-d', pg.database);
  for (const [name, value] of Object.entries(variables)) args.push('-v', `${name}=${value}`);
  return runScript('psql', [...args, '-f', '-'], {
    env: { PATH: process.env.PATH, PGCLIENTENCODING: 'UTF8' },
    input: sql,
  });
}
