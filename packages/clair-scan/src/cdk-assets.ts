import { DefaultStackSynthesizer } from 'aws-cdk-lib';

/**
 * The ECR repository where CDK's default synthesizer (and so CDK Pipelines' asset stage) publishes
 * the Docker image assets of an account and region: `cdk-<qualifier>-container-assets-<account>-<region>`.
 */
export function cdkAssetRepositoryName(
  account: string,
  region: string,
  qualifier: string = DefaultStackSynthesizer.DEFAULT_QUALIFIER,
): string {
  return `cdk-${qualifier}-container-assets-${account}-${region}`;
}
