import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ScanPolicyConfig } from '../../config/config';
import { ClairScanner } from '../../stages/clair/scanner';

/** The pipeline account of the access-path apps built here. */
export const PIPELINE_ACCOUNT = '111111111111';

/** A scan policy of the tests' own (the defaults the config reader gives), with the given accounts. */
export function scanPolicy(
  accounts: Partial<Pick<ScanPolicyConfig, 'invokerAccounts' | 'pullAccounts'>>,
): ScanPolicyConfig {
  return {
    severity: 'High',
    maxVulnerabilities: 0,
    countUnknown: true,
    ignoreUnfixed: false,
    requireCoverage: true,
    readinessTimeoutMinutes: 60,
    canaryMinVulnerabilities: 1,
    pullRepositories: [],
    invokerAccounts: [],
    pullAccounts: [],
    platforms: [],
    ...accounts,
  };
}

/**
 * A stack that holds only a scanner (and the VPC it needs, and a bucket and key for its
 * deployed-policy records), for the access paths of other teams.
 */
export function scannerHost(
  app: App,
  id: string,
  env: { account: string; region: string },
  policy: ScanPolicyConfig,
): Stack {
  const host = new Stack(app, id, { env });
  const scanner = new ClairScanner(host, 'Scanner', {
    vpc: new ec2.Vpc(host, 'Vpc', { maxAzs: 2, natGateways: 1 }),
    clairUrl: 'http://clair.internal:6060',
    policy,
    pipelineAccount: PIPELINE_ACCOUNT,
    logRetentionDays: 30,
  });
  const key = new kms.Key(host, 'RecordsKey');
  scanner.recordDeployedPolicies({ bucket: new s3.Bucket(host, 'Records', { encryptionKey: key }), key });
  return host;
}
