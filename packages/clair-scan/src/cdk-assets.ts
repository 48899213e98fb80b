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

/**
 * The exact reference of a Docker image asset in the CDK asset repository of an account and region,
 * concrete at synth time (unlike `DockerImageAsset.imageUri`, whose account and region are those of
 * the stack that reads it), so that a scan step in the pipeline can name the image a stage deploys:
 * `cdkAssetImageUri(account, region, asset.imageTag)`.
 */
export function cdkAssetImageUri(account: string, region: string, tag: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${account}.dkr.ecr.${region}.${suffix}/${cdkAssetRepositoryName(account, region)}:${tag}`;
}
