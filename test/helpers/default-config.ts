import * as fs from 'fs';
import * as path from 'path';

/**
 * The tests' own configurations, in test/fixtures: never the repository's cdk.json, which is the
 * user's to change (test/cdk-json.test.ts is the one test that reads it).
 */
const FIXTURES_DIR = path.join(__dirname, '..', 'fixtures');

/** A copy of cdk.json as shipped: the default app of the tests. */
export const SHIPPED_CDK_JSON = path.join(FIXTURES_DIR, 'shipped-cdk.json');

/**
 * A company's `clairPipeline` configuration, laid over the shipped context as a user edits
 * cdk.json: its own pipeline account, dev and staging lean (staging in another region), prod on
 * the production profile with three Clair tasks, another team's account admitted to prod's
 * scanner, an alert address, real-looking accounts and a real-looking connection.
 */
const COMPANY_CONFIG = path.join(FIXTURES_DIR, 'company-clair-pipeline.json');

/** The context of the shipped cdk.json (a fixture): what `cdk synth` sees in a fresh checkout. */
export function defaultContext(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(SHIPPED_CDK_JSON, 'utf8')).context;
}

/** A fresh copy of the shipped `clairPipeline` configuration object, safe to mutate. */
export function defaultRawConfig(): any {
  return structuredClone(defaultContext().clairPipeline);
}

/** The context of the company configuration: the shipped context with its `clairPipeline` replaced. */
export function companyContext(): Record<string, unknown> {
  return { ...defaultContext(), clairPipeline: companyRawConfig() };
}

/** A fresh copy of the company's `clairPipeline` configuration object, safe to mutate. */
export function companyRawConfig(): any {
  return JSON.parse(fs.readFileSync(COMPANY_CONFIG, 'utf8'));
}
