import { DefaultStackSynthesizer } from 'aws-cdk-lib';

/**
 * The ECR repository where CDK's default synthesizer (and so CDK Pipelines' asset stage) publishes
 * the Docker image assets of an account and region: `cdk-<qualifier>-container-assets-<account>-<region>`.
 */
export function cdkAssetRepositoryName(account: string, region: string): string {
  return `cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-container-assets-${account}-${region}`;
}
