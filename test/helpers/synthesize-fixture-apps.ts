/**
 * Synthesizes the fixture apps (gates included) into the directory given as the only argument,
 * each into a subdirectory named after it (FIXTURE_APPS), atomically: a subdirectory appears
 * complete or not at all. On failure it writes the error to `<subdirectory>.failed` so waiting
 * tests fail with it instead of timing out. Started in the background by test/global-setup.ts, so
 * synthesis overlaps the tests that do not need it; one process for all, so aws-cdk-lib loads once.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { APP_PROPS } from '../../pipeline/app-props';
import { buildApp } from '../../pipeline/build-app';
import { gateWithCachedGuard } from './gates';
import { FIXTURE_APPS } from './default-assembly';

const root = process.argv[2];
// The placeholder banner and the report's placeholder warning have their own tests.
process.stderr.write = () => true;
console.error = () => undefined;
for (const [name, context] of Object.entries(FIXTURE_APPS)) {
  const dir = path.join(root, name);
  const partial = `${dir}.partial`;
  try {
    const app = new App({ ...APP_PROPS, outdir: partial, context: context() });
    gateWithCachedGuard(app);
    buildApp(app);
    app.synth();
    fs.renameSync(partial, dir);
  } catch (error) {
    fs.writeFileSync(`${dir}.failed`, error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  }
}
