import { PipelineConfig } from '../config/config';
import { writeBanner } from './banner';

/**
 * Says loudly, once, on stderr, which settings still hold the placeholder values that ship so a
 * fresh clone synthesizes: such a pipeline must never be deployed.
 */
export function warnAboutPlaceholders(config: PipelineConfig): void {
  if (config.placeholders.length === 0) return;
  writeBanner([
    'PLACEHOLDER CONFIGURATION: this synth uses example values that cannot be deployed:',
    ...config.placeholders.map((setting) => `    ${setting}`),
    "  Set your accounts and connection in cdk.json (context 'clairPipeline') before `cdk deploy`; see README, 'Configure'.",
  ]);
}
