#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../config/config-reader';
import { APP_PROPS } from './app-props';
import { buildApp } from './build-app';

/**
 * The CDK entry point. A configuration error is the user's to fix, not ours to debug: it prints
 * as one block naming every bad setting, without a stack trace, and the app exits non-zero.
 */
function main(): void {
  // Synthesized explicitly below, and only when the config is valid.
  const app = new App({ ...APP_PROPS, autoSynth: false });
  try {
    buildApp(app);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  app.synth();
}

main();
