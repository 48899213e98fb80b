/**
 * The one test that reads the repository's cdk.json: whatever it holds must be a valid
 * configuration that synthesizes offline with every gate. Every other test builds its apps from
 * its own fixture configuration (test/fixtures), so a user may configure cdk.json for their
 * company without touching a test; the last test here keeps it that way.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { App } from 'aws-cdk-lib';
import { loadConfig } from '../config/config';
import {
  defaultValidationReport,
  FIXTURE_APPS,
  FixtureApp,
  fixtureAssemblyDir,
  missingLookups,
} from './helpers/default-assembly';
import { companyContext } from './helpers/default-config';
import { REPO_ROOT } from './helpers/run-script';
import { quietly, synthesizeApp } from './helpers/synthesize-app';

/** What `cdk synth` gives the app from a project directory: cdk.json's context and the recorded lookups of cdk.context.json. */
function contextOf(cdkJson: any, lookups: Record<string, unknown>): Record<string, unknown> {
  return { ...cdkJson.context, ...lookups };
}

const repositoryContext = contextOf(
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')),
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.context.json'), 'utf8')),
);

/**
 * The assembly of an app with this context, gates included. Synthesis is deterministic: a
 * context equal to a fixture app's gives that app, which the global setup synthesized already
 * (cdk.json as shipped is the `shipped` fixture); any other is synthesized here.
 */
function assemblyFor(context: Record<string, unknown>): { dir: string; remove: () => void } {
  const fixture = (Object.keys(FIXTURE_APPS) as FixtureApp[]).find((name) =>
    isDeepStrictEqual(FIXTURE_APPS[name](), context),
  );
  if (fixture) return { dir: fixtureAssemblyDir(fixture), remove: () => undefined };
  return synthesizeApp(context);
}

describe.each([
  ["the repository's cdk.json", () => repositoryContext],
  [
    // The shipped cdk.json with the company's clairPipeline in place of its own, no lookups recorded.
    'a company configuration in cdk.json (test/fixtures/company-clair-pipeline.json)',
    () => contextOf({ context: companyContext() }, {}),
  ],
])('%s', (_name, context) => {
  let assembly: { dir: string; remove: () => void };
  beforeAll(() => {
    assembly = assemblyFor(context());
  });
  afterAll(() => assembly?.remove());

  test('is a valid configuration', () => {
    expect(() => quietly(() => loadConfig(new App({ context: context() }).node))).not.toThrow();
  });

  test('synthesizes with every gate, leaving nothing unacknowledged', () => {
    const report = defaultValidationReport(assembly.dir);
    expect(report.pluginReports.map((plugin: any) => plugin.pluginName).sort()).toEqual([
      'AwsSolutions',
      'cdk-validator-cfnguard',
    ]);
    expect(report.pluginReports.flatMap((plugin: any) => plugin.violations)).toEqual([]);
  });

  test('needs no lookup in any account: it synthesizes offline', () => {
    expect(missingLookups(assembly.dir)).toEqual([]);
  });
});

/**
 * Test sources (and the scripts and data beside them) that name cdk.json or cdk.context.json as a
 * file, except where a line writes a project of its own (a `cdk.json` written into, or named in, a
 * temporary directory the test made: what the CLI reads there is the test's own configuration).
 */
function readersOfCdkJson(dir: string): string[] {
  const namesTheFile = /(['"`/])cdk(\.context)?\.json['"`]/;
  const ownProject = /writeFileSync|mkdtemp/;
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => {
    const full = path.join(dir, file);
    if (full === __filename || !fs.statSync(full).isFile()) return false;
    return fs
      .readFileSync(full, 'utf8')
      .split('\n')
      .some((line) => namesTheFile.test(line) && !ownProject.test(line));
  });
}

test("no other test reads the repository's cdk.json or cdk.context.json: they use test/fixtures", () => {
  expect(readersOfCdkJson(__dirname)).toEqual([]);
});

test('rejects a test that reads cdk.json by name (the check fires)', () => {
  const sample = fs.mkdtempSync(path.join(os.tmpdir(), 'reader-'));
  fs.writeFileSync(path.join(sample, 'reader.test.ts'), "fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'))");
  fs.writeFileSync(path.join(sample, 'message.test.ts'), 'expect(message).toMatch(/set it in cdk.json (context x)/)');
  fs.writeFileSync(path.join(sample, 'own.test.ts'), "fs.writeFileSync(path.join(dir, 'cdk.json'), '{}')");
  expect(readersOfCdkJson(sample)).toEqual(['reader.test.ts']);
});
