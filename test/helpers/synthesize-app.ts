import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import type { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { APP_PROPS, buildApp } from '../../pipeline/build-app';
import { defaultContext } from './default-config';

/** An app synthesized by {@link synthesizeApp}, in a directory of its own. */
export interface SynthesizedApp {
  /** The cloud assembly. */
  readonly assembly: CloudAssembly;
  /** Removes the assembly's directory; call it in afterAll. */
  readonly remove: () => void;
}

/** Options for {@link synthesizeApp}. */
export interface SynthesizeAppOptions {
  /** The `clairPipeline` configuration. @default the one in cdk.json */
  readonly config?: unknown;
  /** Extra context, e.g. `-c` overrides as the CLI passes them. @default none */
  readonly context?: Record<string, string>;
}

/**
 * Synthesizes the whole pipeline app as `cdk synth` would, gates included, with cdk.json's context
 * and the committed lookups, into a fresh directory under TMPDIR. The placeholder banner is not
 * printed. The gates are most of a synth's time: when only an app's shape matters, build it
 * without synthesizing it.
 */
export function synthesizeApp(options: SynthesizeAppOptions = {}): SynthesizedApp {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-'));
  const context = {
    ...defaultContext(),
    ...(options.config ? { clairPipeline: options.config } : {}),
    ...options.context,
  };
  try {
    const assembly = quietly(() => {
      const app = new App({ ...APP_PROPS, outdir: dir, context });
      buildApp(app);
      return app.synth();
    });
    return { assembly, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
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

/** Every manifest's missing context (lookups synth would need credentials for), nested assemblies included. */
export function missingLookups(assembly: CloudAssembly): unknown[] {
  return [assembly, ...assembly.nestedAssemblies.map((nested) => nested.nestedAssembly)].flatMap(
    (each) => each.manifest.missing ?? [],
  );
}

/** A stack of a stage by its path, e.g. `ClairPipeline/Clair-Dev/Data`. */
export function stageStack(assembly: CloudAssembly, hierarchicalId: string): CloudFormationStackArtifact {
  const stack = assembly.nestedAssemblies
    .flatMap((nested) => nested.nestedAssembly.stacks)
    .find((candidate) => candidate.hierarchicalId === hierarchicalId);
  if (!stack) throw new Error(`no stack ${hierarchicalId} in the assembly`);
  return stack;
}
