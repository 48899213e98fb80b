/**
 * Reads the variables a wrapper script (scripts/with-postgres.sh, scripts/with-registry.sh)
 * exports around the tests. Throws when any is missing, naming the script, so that a test that
 * needs the server fails instead of skipping.
 */
export function requiredEnv<K extends string>(names: readonly K[], what: string, script: string): Record<K, string> {
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')} not set: these tests need ${what} of scripts/${script}; ` +
        `run them with \`npm test\` (or \`bash scripts/${script} npx jest <files>\`)`,
    );
  }
  return Object.fromEntries(names.map((name) => [name, process.env[name]!])) as Record<K, string>;
}
