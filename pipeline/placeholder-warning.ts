import { PipelineConfig } from '../config/config';

/**
 * Says loudly, once, on stderr, which settings still hold the placeholder values that ship so a
 * fresh clone synthesizes: such a pipeline must never be deployed. Not an annotation: the CLI
 * would print it a second time with an invitation to acknowledge it, and an annotation on the
 * App also leaves a stray cdk.out/error.txt behind.
 */
export function warnAboutPlaceholders(config: PipelineConfig): void {
  if (config.placeholders.length === 0) return;
  const message = [
    'PLACEHOLDER CONFIGURATION: this synth uses example values that cannot be deployed:',
    ...config.placeholders.map((setting) => `    ${setting}`),
    "  Set your accounts and connection in cdk.json (context 'clairPipeline') before `cdk deploy`; see README, 'Configure'.",
  ].join('\n');
  process.stderr.write(`\n${'!'.repeat(100)}\n${message}\n${'!'.repeat(100)}\n\n`);
}
