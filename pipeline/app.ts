#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../config/config-reader';
import { APP_PROPS } from './app-props';
import { buildApp } from './build-app';

/**
 * The CDK entry point: builds the app from the context `cdk synth` hands it and synthesizes it.
 * A configuration error is the user's to fix, not ours to debug: it prints as one block naming
 * every bad setting, without a stack trace, and the app exits non-zero. Returns the exit code.
 */
export function main(): number {
  // Synthesized explicitly below, and only when the config is valid.
  const app = new App({ ...APP_PROPS, autoSynth: false });
  try {
    buildApp(app);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  app.synth();
  return 0;
}

if (require.main === module) {
  process.exitCode = main();
}
