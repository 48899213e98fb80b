import { Duration } from 'aws-cdk-lib';
import { allowedRegistries, scanDeadlineSeconds, scannerBuildTimeout } from '../../stages/clair/scanner';
import { ScanPolicyConfig } from '../../config/config';

test('the scanner may read the ECR of its account and of each account it may pull from, in its region, once each', () => {
  expect(allowedRegistries('222222222222', 'eu-west-1', ['444444444444', '222222222222'], 'amazonaws.com')).toBe(
    '222222222222.dkr.ecr.eu-west-1.amazonaws.com,444444444444.dkr.ecr.eu-west-1.amazonaws.com',
  );
});

test("the gate's deadline ends five minutes before the scanner build's timeout", () => {
  const policy: ScanPolicyConfig = {
    severity: 'High',
    maxVulnerabilities: 0,
    countUnknown: true,
    ignoreUnfixed: false,
    requireCoverage: true,
    platforms: [],
    readinessTimeoutMinutes: 10,
    canaryMinVulnerabilities: 1,
    invokerAccounts: [],
    pullRepositories: [],
    pullAccounts: [],
  };
  expect(scannerBuildTimeout(policy).toSeconds()).toBe(Duration.minutes(40).toSeconds());
  expect(scanDeadlineSeconds(policy)).toBe(35 * 60);
});
