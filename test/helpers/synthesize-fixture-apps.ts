/**
 * Synthesizes the fixture apps (gates included), then the ungated fixture apps, into the directory
 * given as the only argument, each into a subdirectory named after it (FIXTURE_APPS,
 * UNGATED_FIXTURE_APPS), atomically: a subdirectory appears complete or not at all. On failure it
 * writes the error to `<subdirectory>.failed` so waiting tests fail with it instead of timing out.
 * Started in the background by test/global-setup.ts, so synthesis overlaps the tests that do not
 * need it; one process for all, so aws-cdk-lib loads once.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { APP_PROPS } from '../../pipeline/app-props';
import { buildApp } from '../../pipeline/build-app';
import { gateWithCachedGuard } from './gates';
import { FIXTURE_APPS, UNGATED_FIXTURE_APPS, UngatedFixtureApp, ungatedSubdirectory } from './default-assembly';
import { loadUngatedSynth, UngatedSynth } from './synthesize-without-gates';

const root = process.argv[2];
// The placeholder banner and the report's placeholder warning have their own tests.
process.stderr.write = () => true;
console.error = () => undefined;

/** Synthesizes into `<root>/<name>` through `<name>.partial`, or writes `<name>.failed`. */
function synthesizeInto(name: string, synthesize: (outdir: string) => void): void {
  const dir = path.join(root, name);
  const partial = `${dir}.partial`;
  try {
    synthesize(partial);
    fs.renameSync(partial, dir);
  } catch (error) {
    fs.writeFileSync(`${dir}.failed`, error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  }
}

for (const [name, context] of Object.entries(FIXTURE_APPS)) {
  synthesizeInto(name, (outdir) => {
    const app = new App({ ...APP_PROPS, outdir, context: context() });
    gateWithCachedGuard(app);
    buildApp(app);
    app.synth();
  });
}
// Loaded once, after the gated apps are built, inside the first synth so that a failure to load
// fails the tests that wait for these apps.
let synthesizeWithoutGates: UngatedSynth | undefined;
for (const [name, config] of Object.entries(UNGATED_FIXTURE_APPS)) {
  synthesizeInto(ungatedSubdirectory(name as UngatedFixtureApp), (outdir) =>
    (synthesizeWithoutGates ??= loadUngatedSynth())(config(), outdir),
  );
}
