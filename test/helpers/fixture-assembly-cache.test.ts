/**
 * The kept fixture assemblies (test/helpers/fixture-assembly-cache.ts) cannot go stale: their key
 * covers everything a synth can read. That any changed byte, name or version gives another key is
 * proven for the key itself by test/helpers/input-cache.test.ts.
 */
import * as fs from 'fs';
import { fixtureInputs, fixtureInputsKey } from './fixture-assembly-cache';
import { REPO_ROOT } from './run-script';

test('the key covers every top-level entry of the repository but installed packages, git and CDK output', () => {
  const inputs = fixtureInputs({});
  const covered = [...Object.keys(inputs.directories), ...Object.keys(inputs.files)];
  const entries = fs.readdirSync(REPO_ROOT).filter((entry) => !['node_modules', '.git', 'cdk.out'].includes(entry));
  expect(covered.sort()).toEqual([...entries, 'node_modules/.package-lock.json'].sort());
  for (const source of ['pipeline', 'stages', 'common', 'config', 'container', 'buildspecs', 'packages', 'test']) {
    expect(inputs.directories[source]).toBeDefined();
  }
});

test('only test files are left out: the helpers and fixtures a synth loads are inputs', () => {
  const { notInputs } = fixtureInputs({});
  expect(notInputs!.test('pipeline/company-config.test.ts')).toBe(true);
  for (const file of [
    'helpers/synthesize-fixture-apps.ts',
    'helpers/default-config.ts',
    'fixtures/company-clair-pipeline.json',
    'helpers/test.ts',
    'helpers/a.test.tsx',
  ]) {
    expect(notInputs!.test(file)).toBe(false);
  }
});

test("the CDK's environment variables are inputs, but not this run's own paths; so is Node's version", () => {
  const key = fixtureInputsKey({});
  expect(fixtureInputsKey({ CDK_DEFAULT_ACCOUNT: '111111111111' })).not.toBe(key);
  expect(fixtureInputsKey({ JSII_DEPRECATED: 'fail' })).not.toBe(key);
  expect(fixtureInputsKey({ CDK_ERROR_FILE: '/tmp/run/error.txt', CDK_OUTDIR: '/tmp/out', HOME: '/x' })).toBe(key);
  expect(fixtureInputs({}).versions.node).toBe(process.version);
});
