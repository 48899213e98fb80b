import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './run-script';

/** The context of cdk.json plus the committed lookups of cdk.context.json: what `cdk synth` sees. */
export function defaultContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8'));
  const lookups = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.context.json'), 'utf8'));
  return { ...cdkJson.context, ...lookups };
}

/** A fresh copy of the default `clairPipeline` configuration object, safe to mutate. */
export function defaultRawConfig(): any {
  return structuredClone(defaultContext().clairPipeline);
}
