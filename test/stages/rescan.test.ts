import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { SCANNER_PROJECT_NAME } from '@clair-pipeline/scan';
import { DEPLOYED_POLICY_VARIABLES } from '../../buildspecs/scanner-buildspec';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../config/config';
import { defaultRescanSchedule } from '../../config/rescan-config';
import { RESCAN_METRICS_NAMESPACE, RESCAN_PROJECT_NAME } from '../../stages/clair/rescan';
import { ClairScanner } from '../../stages/clair/scanner';
import { defaultTemplate, stackTemplate, ungatedAssemblyDir } from '../helpers/default-assembly';
import { defaultRawConfig } from '../helpers/default-config';
import { clairOptions } from '../helpers/shape-fixtures';
import { scanPolicy } from '../access-paths/scanner-host';

// The rescan's configuration and wiring (docs/rescans.md); its role's reach is proven by
// test/access-paths/rescan.test.ts, its program by test/container/scanner/rescan.test.ts.

/** A raw configuration whose prod environment has the given clair and rescan settings. */
function rawWith(clair: Record<string, unknown>, rescan?: Record<string, unknown>): any {
  const raw = defaultRawConfig();
  raw.environments.prod.clair = { ...raw.environments.prod.clair, ...clair };
  if (rescan) raw.environments.prod.rescan = rescan;
  return raw;
}

/**
 * An environment's service stack's template in the clairOptions app (synthesized once per run
 * without the gates): prod's rescan imports into Security Hub, dev's is turned off.
 */
function serviceOf(environment: 'Dev' | 'Prod'): Template {
  return Template.fromJSON(
    stackTemplate(ungatedAssemblyDir('clairOptions'), `ClairPipeline/Clair-${environment}/Service`),
  );
}

describe('the rescan schedule follows the updater', () => {
  test.each([
    ['2h', 'rate(2 hours)'],
    ['90m', 'rate(90 minutes)'],
    ['1h30m', 'rate(90 minutes)'],
    ['30m', 'rate(1 hour)'],
    ['24h', 'rate(1 day)'],
    ['0', 'rate(1 day)'],
  ])('updaterInterval %s: %s', (interval, schedule) => {
    expect(defaultRescanSchedule(interval)).toBe(schedule);
    expect(parseConfig(rawWith({ updaterInterval: interval })).environments[1].rescan).toEqual({
      enabled: true,
      schedule,
      concurrency: 4,
      images: [],
      securityHub: false,
    });
  });
});

describe('bad rescan settings fail at synth, naming the setting and the value', () => {
  test.each([
    [
      { schedule: 'rate(5 minutes)' },
      /environments\.prod\.rescan\.schedule must be a rate expression from 'rate\(1 hour\)' to 'rate\(6 days\)' .* got 'rate\(5 minutes\)'/,
    ],
    [
      { schedule: 'cron(0 6 * * ? *)' },
      /environments\.prod\.rescan\.schedule must be a rate expression .*no cron.* got 'cron\(0 6 \* \* \? \*\)'/,
    ],
    [{ concurrency: 0 }, /environments\.prod\.rescan\.concurrency .*0/],
    [
      { images: ['nginx:latest'] },
      /environments\.prod\.rescan\.images.* must be an image reference with its registry.*nginx:latest/,
    ],
    [
      { images: ['555555555555.dkr.ecr.eu-west-1.amazonaws.com/app:1'] },
      /environments\.prod\.rescan\.images must name images on the ECR registries the scanner may read \(333333333333\.dkr\.ecr\.eu-west-1\.amazonaws\.com.*\), got '555555555555/,
    ],
    [{ securityHub: 'yes' }, /environments\.prod\.rescan\.securityHub .*yes/],
    [{ schedul: 'rate(1 day)' }, /environments\.prod\.rescan\.schedul/],
  ])('%j', (rescan, message) => {
    expect(() => parseConfig(rawWith({}, rescan))).toThrow(message);
  });
});

describe('an environment that imports findings into Security Hub', () => {
  // Every two hours, eight at a time, an image of a team its scanner admits (clairOptions' prod).
  const { images } = clairOptions().environments.prod.rescan;
  const service = serviceOf('Prod');
  const project = Object.values(service.findResources('AWS::CodeBuild::Project')).find(
    (p) => p.Properties.Name === RESCAN_PROJECT_NAME,
  )!;
  const variable = (name: string) =>
    project.Properties.Environment.EnvironmentVariables.find((v: any) => v.Name === name)?.Value;

  test('runs rescan-images in the scanner image with its settings', () => {
    expect(project.Properties.Source.BuildSpec).toContain('rescan-images');
    expect(variable('RESCAN_SECURITY_HUB')).toBe('true');
    expect(variable('RESCAN_IMAGES')).toBe(images[0]);
    expect(variable('RESCAN_CONCURRENCY')).toBe('8');
    expect(variable('RESCAN_METRIC_NAMESPACE')).toBe(RESCAN_METRICS_NAMESPACE);
    expect(variable('RESCAN_ENVIRONMENT')).toBe('prod');
  });

  test("may import findings for its own account's default product only", () => {
    service.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'securityhub:BatchImportFindings',
            Resource: 'arn:aws:securityhub:eu-west-1:333333333333:product/333333333333/default',
            Condition: { StringEquals: { 'securityhub:TargetAccount': '333333333333' } },
          }),
        ]),
      },
    });
  });

  test('is scheduled once per updater interval, and alarms on failing images, failed and silent rescans', () => {
    service.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(2 hours)', State: 'ENABLED' });
    const names = Object.values(service.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName);
    expect(names).toEqual(
      expect.arrayContaining([
        'clair-prod-running-images-failing-policy',
        'clair-prod-rescan-failed',
        'clair-prod-rescan-silent',
      ]),
    );
  });
});

test('a rescan turned off keeps its project but never starts and never alarms; the scanner still records policies', () => {
  // clairOptions' dev, whose rescan is off.
  const service = serviceOf('Dev');
  const stateBucket = Object.values(service.findResources('AWS::CodeBuild::Project'))
    .find((p) => p.Properties.Name === RESCAN_PROJECT_NAME)!
    .Properties.Environment.EnvironmentVariables.find((v: any) => v.Name === 'RESCAN_STATE_BUCKET').Value;
  service.hasResourceProperties('AWS::CodeBuild::Project', {
    Name: SCANNER_PROJECT_NAME,
    Environment: Match.objectLike({
      EnvironmentVariables: Match.arrayWith([
        { Name: DEPLOYED_POLICY_VARIABLES.bucket, Type: 'PLAINTEXT', Value: stateBucket },
      ]),
    }),
  });
  service.hasResourceProperties('AWS::Events::Rule', {
    State: 'DISABLED',
    Targets: [Match.objectLike({ Arn: Match.anyValue() })],
    Description: Match.stringLikeRegexp('Rescans'),
  });
  const rescanAlarms = (template: Template) =>
    Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties.AlarmName)
      .filter((name: string) => name.includes('rescan') || name.includes('running-images'));
  expect(rescanAlarms(service)).toEqual([]);
  // With its rescan on, the same environment (the default app's dev, lean too) has them.
  expect(rescanAlarms(defaultTemplate('ClairPipeline/Clair-Dev/Service'))).toEqual(
    expect.arrayContaining(['clair-dev-running-images-failing-policy', 'clair-dev-rescan-failed']),
  );
});

test('fails synth when a scanner is not told where to record the policies images pass with', () => {
  const host = new Stack(new App(), 'Host', { env: { account: '333333333333', region: 'eu-west-1' } });
  new ClairScanner(host, 'Scanner', {
    vpc: new ec2.Vpc(host, 'Vpc', { maxAzs: 2, natGateways: 1 }),
    clairUrl: 'http://clair.internal:6060',
    policy: scanPolicy({}),
    pipelineAccount: '111111111111',
    logRetentionDays: 30,
  });
  expect(() => Template.fromStack(host)).toThrow(/recordDeployedPolicies\(\) was not called/);
});
