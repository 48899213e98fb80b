import Module = require('module');
import * as path from 'path';
import type { App as AppType } from 'aws-cdk-lib';
import { defaultContext } from './default-config';
import { REPO_ROOT } from './run-script';

/** Builds the whole app from a `clairPipeline` configuration into `outdir` and synthesizes it, without the gates. */
export type UngatedSynth = (config: unknown, outdir: string) => void;

/**
 * For the background synthesis (test/helpers/synthesize-fixture-apps.ts, plain Node, not jest):
 * a synth of the whole app as `cdk synth` does it, but without its security gates (cdk-nag and
 * cfn-guard are most of a synth's time), for the tests of the stacks' environments and IAM while
 * the gated synths prove the gates. The project's own modules are loaded afresh, with
 * common/security-gates a no-op, so the gated apps built in the same process keep their gates;
 * aws-cdk-lib and the other packages are shared. Call it after the gated apps are built.
 */
export function loadUngatedSynth(): UngatedSynth {
  const own = (file: string) =>
    file.startsWith(`${REPO_ROOT}${path.sep}`) && !file.includes(`${path.sep}node_modules${path.sep}`);
  for (const file of Object.keys(require.cache)) {
    if (own(file)) delete require.cache[file];
  }
  const gates = require.resolve('../../common/security-gates');
  const noGates = new Module(gates);
  noGates.filename = gates;
  noGates.loaded = true;
  noGates.exports = { addSecurityGates: () => undefined };
  require.cache[gates] = noGates;
  const { App }: typeof import('aws-cdk-lib') = require('aws-cdk-lib');
  const { APP_PROPS }: typeof import('../../pipeline/app-props') = require('../../pipeline/app-props');
  const { buildApp }: typeof import('../../pipeline/build-app') = require('../../pipeline/build-app');
  return (config, outdir) => {
    const app: AppType = new App({ ...APP_PROPS, outdir, context: { ...defaultContext(), clairPipeline: config } });
    buildApp(app);
    app.synth();
  };
}
