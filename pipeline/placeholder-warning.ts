import { Annotations, App } from 'aws-cdk-lib';
import { PipelineConfig } from '../config/config';

/**
 * Says loudly, on stderr and as a warning annotation, which settings still hold the placeholder
 * values that ship so a fresh clone synthesizes: such a pipeline must never be deployed.
 */
export function warnAboutPlaceholders(app: App, config: PipelineConfig): void {
  if (config.placeholders.length === 0) return;
  const message = [
    'PLACEHOLDER CONFIGURATION: this synth uses example values that cannot be deployed:',
    ...config.placeholders.map((setting) => `    ${setting}`),
    "  Set your accounts and connection in cdk.json (context 'clairPipeline') before `cdk deploy`; see README, 'Configure'.",
  ].join('\n');
  process.stderr.write(`\n${'!'.repeat(100)}\n${message}\n${'!'.repeat(100)}\n\n`);
  Annotations.of(app).addWarningV2('clair-pipeline:placeholder-config', message);
}
