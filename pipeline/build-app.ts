import { App, PERMISSIONS_BOUNDARY_CONTEXT_KEY } from 'aws-cdk-lib';
import { PERMISSIONS_BOUNDARY_NAME } from '../bootstrap/policies';
import { addSecurityGates } from '../common/security-gates';
import { loadConfig } from '../config/config';
import { PipelineStack } from './pipeline-stack';
import { PIPELINE_STACK_NAME } from './stack-names';
import { warnAboutUnnotified } from './notification-warning';
import { warnAboutPlaceholders } from './placeholder-warning';

/**
 * Adds the whole clair-pipeline to `app`: reads and validates the config from its context, warns
 * about placeholders and about notifications nobody receives, gates every stack and builds the
 * pipeline. Shared by the CDK entry point and the tests, so what the tests synthesize is what
 * `cdk synth` synthesizes.
 *
 * Every IAM role of every stack (the pipeline's, CDK Pipelines' own, each Stage's) carries the
 * permissions boundary: CloudFormation's execution policy lets it create no role without it
 * (bootstrap/policies.ts). Set as the app's context, which each Stack reads (Stages inherit it).
 */
export function buildApp(app: App): PipelineStack {
  app.node.setContext(PERMISSIONS_BOUNDARY_CONTEXT_KEY, { name: PERMISSIONS_BOUNDARY_NAME });
  const config = loadConfig(app.node);
  warnAboutPlaceholders(config);
  warnAboutUnnotified(config);
  addSecurityGates(app);
  const stack = new PipelineStack(app, PIPELINE_STACK_NAME, { env: config.pipeline, config });
  stack.finish();
  return stack;
}
