import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, isPlainObject } from './config-reader';
import { configFromContext, PipelineConfig } from './config';

/**
 * The context `cdk synth` would see in the project at `dir`: cdk.json's `context`, then the
 * recorded lookups of cdk.context.json, then `-c key=value` overrides. A missing or unreadable
 * cdk.json is a ConfigError, reported like every other configuration mistake.
 */
export function projectContext(dir: string, overrides: Record<string, string> = {}): Record<string, unknown> {
  const cdkJson = readJsonObject(path.join(dir, 'cdk.json'), true);
  const lookups = readJsonObject(path.join(dir, 'cdk.context.json'), false);
  return { ...(isPlainObject(cdkJson.context) ? cdkJson.context : {}), ...lookups, ...overrides };
}

/** The validated configuration of the project at `dir`, as `cdk synth` reads it. Throws a ConfigError. */
export function loadProjectConfig(dir: string, overrides: Record<string, string> = {}): PipelineConfig {
  return configFromContext(projectContext(dir, overrides));
}

function readJsonObject(file: string, required: boolean): Record<string, unknown> {
  if (!fs.existsSync(file)) {
    if (!required) return {};
    throw new ConfigError([`${file} does not exist; run from the project's root directory, where cdk.json is`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([`${file} is not valid JSON (${(error as Error).message}); fix its syntax`]);
  }
  if (!isPlainObject(value)) throw new ConfigError([`${file} must hold a JSON object; fix its content`]);
  return value;
}
