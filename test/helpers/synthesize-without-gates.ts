import * as os from 'os';
import * as fs from 'fs';
import * as path from 'path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { defaultContext } from './default-config';
import { DefaultStack, defaultStacks } from './default-assembly';

/** An app synthesized by {@link synthesizeWithoutGates}. */
export interface UngatedApp {
  /** The cloud assembly. */
  readonly assembly: CloudAssembly;
  /** Every stack, nested stage assemblies and cross-region support stacks included. */
  readonly stacks: DefaultStack[];
  /** Removes the assembly's directory; call it in afterAll. */
  readonly remove: () => void;
}

/**
 * Synthesizes the whole app from a fixture `clairPipeline` configuration as `cdk synth` would,
 * but without its security gates (cdk-nag and cfn-guard are most of a synth's time): for tests
 * about the stacks' environments and their IAM, while the gated synths prove the gates. The app
 * is built in a module registry of its own in which the gates are a no-op, so the rest of the
 * test file is unaffected.
 */
export function synthesizeWithoutGates(config: unknown): UngatedApp {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ungated-app-'));
  try {
    let assembly: CloudAssembly | undefined;
    jest.isolateModules(() => {
      jest.doMock('../../common/security-gates', () => ({ addSecurityGates: () => undefined }));
      const { App } = require('aws-cdk-lib');
      const { APP_PROPS } = require('../../pipeline/app-props');
      const { buildApp } = require('../../pipeline/build-app');
      const { quietly } = require('./synthesize-app');
      assembly = quietly(() => {
        const app = new App({ ...APP_PROPS, outdir: dir, context: { ...defaultContext(), clairPipeline: config } });
        buildApp(app);
        return app.synth();
      });
    });
    return {
      assembly: assembly!,
      stacks: defaultStacks(dir),
      remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
