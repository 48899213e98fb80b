import { App, AppProps } from 'aws-cdk-lib';
import { addSecurityGates } from '../common/security-gates';
import { loadConfig } from '../config/config';
import { PipelineStack } from './pipeline-stack';
import { warnAboutPlaceholders } from './placeholder-warning';

/**
 * Settings of every clair-pipeline App (the CDK entry point and the tests). The built-in
 * CloudFormation schema check only ever warns and costs about 7 s a synth; cfn-lint checks the
 * same resource schemas (its E3 rules, every property, type and allowed value) over every template
 * of the default app as a real gate instead (test/pipeline/cfn-lint.test.ts).
 */
export const APP_PROPS: AppProps = { builtinCloudFormationValidation: false };

/**
 * Adds the whole clair-pipeline to `app`: reads and validates the config from its context, warns
 * about placeholders, gates every stack and builds the pipeline. Shared by the CDK entry point and
 * the tests, so what the tests synthesize is what `cdk synth` synthesizes.
 */
export function buildApp(app: App): PipelineStack {
  const config = loadConfig(app.node);
  warnAboutPlaceholders(config);
  addSecurityGates(app);
  const stack = new PipelineStack(app, 'ClairPipeline', { env: config.pipeline, config });
  stack.finish();
  return stack;
}
