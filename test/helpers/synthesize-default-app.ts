/**
 * Synthesizes the default app (gates included) into the directory given as the only argument,
 * atomically: the directory appears complete or not at all. On failure it writes the error to
 * `<dir>.failed` so waiting tests fail with it instead of timing out. Started in the background
 * by test/global-setup.ts, so synthesis overlaps the tests that do not need it.
 */
import * as fs from 'fs';
import { App } from 'aws-cdk-lib';
import { APP_PROPS, buildApp } from '../../pipeline/build-app';
import { defaultContext } from './default-config';

const dir = process.argv[2];
const partial = `${dir}.partial`;
try {
  // The placeholder banner and the report's placeholder warning have their own tests.
  process.stderr.write = () => true;
  console.error = () => undefined;
  const app = new App({ ...APP_PROPS, outdir: partial, context: defaultContext() });
  buildApp(app);
  app.synth();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(partial, dir);
} catch (error) {
  fs.writeFileSync(`${dir}.failed`, error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
}
