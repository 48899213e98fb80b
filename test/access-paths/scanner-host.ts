import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
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

/** A stack that holds only a scanner (and the VPC it needs), for the access paths of other teams. */
export function scannerHost(
  app: App,
  id: string,
  env: { account: string; region: string },
  policy: ScanPolicyConfig,
): Stack {
  const host = new Stack(app, id, { env });
  new ClairScanner(host, 'Scanner', {
    vpc: new ec2.Vpc(host, 'Vpc', { maxAzs: 2, natGateways: 1 }),
    clairUrl: 'http://clair.internal:6060',
    policy,
    pipelineAccount: PIPELINE_ACCOUNT,
    logRetentionDays: 30,
  });
  return host;
}
