import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { APP_PROPS } from '../../pipeline/app-props';
import { buildApp } from '../../pipeline/build-app';
import { gateWithCachedGuard } from './gates';

/** An app synthesized by {@link synthesizeApp}, in a directory of its own. */
export interface SynthesizedApp {
  /** The cloud assembly's directory. */
  readonly dir: string;
  /** Removes the assembly's directory; call it in afterAll. */
  readonly remove: () => void;
}

/**
 * Synthesizes the whole pipeline app as `cdk synth` would, gates included, with the given context
 * (a fixture's: tests own their configuration), into a fresh directory under TMPDIR. The
 * placeholder banner is not printed. The gates are most of a synth's time: when only an app's
 * shape matters, build it without synthesizing it, and read the fixture apps the global setup
 * synthesizes (test/helpers/default-assembly.ts).
 */
export function synthesizeApp(context: Record<string, unknown>): SynthesizedApp {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-'));
  try {
    quietly(() => {
      const app = new App({ ...APP_PROPS, outdir: dir, context });
      gateWithCachedGuard(app);
      buildApp(app);
      app.synth();
    });
    return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Runs `work` with stderr silenced (the placeholder banner has tests of its own), and returns its result. */
export function quietly<T>(work: () => T): T {
  const write = process.stderr.write;
  process.stderr.write = () => true;
  try {
    return work();
  } finally {
    process.stderr.write = write;
  }
}
