import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../config/config';
import {
  defaultStacks,
  defaultValidationReport,
  fixtureAssemblyDir,
  missingLookups,
} from '../helpers/default-assembly';
import { companyRawConfig, defaultRawConfig } from '../helpers/default-config';
import { REPO_ROOT } from '../helpers/run-script';

/**
 * A company's configuration (test/fixtures/company-clair-pipeline.json), synthesized once per run
 * with every gate on by the global setup: its own pipeline account, dev and staging lean (staging
 * in another region and account, with three zones), prod on the production profile with three
 * Clair tasks, another team's account admitted to its scanner and its rescan importing findings into
 * Security Hub, an alert address, real-looking accounts and connection.
 */
const dir = fixtureAssemblyDir('company');
const company = companyRawConfig();
const stacks = defaultStacks(dir);
const template = (displayPath: string): Template => {
  const stack = stacks.find((candidate) => candidate.displayPath === displayPath);
  if (!stack) throw new Error(`no stack ${displayPath} in the company app`);
  return Template.fromJSON(JSON.parse(fs.readFileSync(stack.templateFile, 'utf8')));
};
const pipelineStages: any[] = Object.values<any>(template('ClairPipeline').toJSON().Resources).find(
  (r) => r.Type === 'AWS::CodePipeline::Pipeline',
).Properties.Stages;

test('promotes in the order of the config, with an approval before every environment but the first', () => {
  expect(pipelineStages.map((stage) => stage.Name)).toEqual([
    'Source',
    'Build',
    'UpdatePipeline',
    'Assets',
    'Clair-Dev',
    'SampleApp-Dev',
    'Approve-Staging',
    'Clair-Staging',
    'SampleApp-Staging',
    'Approve-Prod',
    'Clair-Prod',
    'SampleApp-Prod',
  ]);
});

test('puts the pipeline in its own account and every stage in its environment account and region', () => {
  const placed = Object.fromEntries(stacks.map((stack) => [stack.displayPath, `${stack.account}/${stack.region}`]));
  expect(placed).toMatchObject({
    ClairPipeline: `${company.pipeline.account}/eu-west-1`,
    'ClairPipeline/Clair-Dev/Data': `${company.environments.dev.account}/eu-west-1`,
    'ClairPipeline/Clair-Staging/Service': `${company.environments.staging.account}/eu-central-1`,
    'ClairPipeline/SampleApp-Prod/App': `${company.environments.prod.account}/eu-west-1`,
  });
  expect(pipelineStages[0].Actions[0].Configuration).toMatchObject({
    ConnectionArn: company.source.connectionArn,
    FullRepositoryId: company.source.repository,
  });
});

test('deploys staging in its own region, through zones it was given', () => {
  const staging = pipelineStages.find((stage) => stage.Name === 'Clair-Staging');
  const deploys = staging.Actions.filter((action: any) => action.ActionTypeId.Category === 'Deploy');
  expect(deploys.length).toBeGreaterThan(0);
  for (const deploy of deploys) expect(deploy.Region).toBe('eu-central-1');
  const zones = Object.values(template('ClairPipeline/Clair-Staging/Data').findResources('AWS::EC2::Subnet')).map(
    (subnet) => subnet.Properties.AvailabilityZone,
  );
  expect([...new Set(zones)].sort()).toEqual(['eu-central-1a', 'eu-central-1b', 'eu-central-1c']);
});

test('hardens the replication bucket and key of the cross-region support stack', () => {
  const support = stacks.find((stack) => stack.stackName === 'ClairPipeline-support-eu-central-1');
  expect(support?.region).toBe('eu-central-1');
  const supportTemplate = Template.fromJSON(JSON.parse(fs.readFileSync(support!.templateFile, 'utf8')));
  const buckets = Object.values(supportTemplate.findResources('AWS::S3::Bucket')).map((r) => r.Properties);
  expect(buckets.find((bucket) => bucket.BucketEncryption)).toMatchObject({
    VersioningConfiguration: { Status: 'Enabled' },
    LoggingConfiguration: { LogFilePrefix: 'replication/' },
    NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
  });
  const key = Object.values(supportTemplate.findResources('AWS::KMS::Key'))[0].Properties;
  expect(key.KeyPolicy.Statement).toEqual(
    expect.arrayContaining([expect.objectContaining({ Sid: 'DenyGrantsExceptForAwsServices', Effect: 'Deny' })]),
  );
});

test("runs prod's Clair at three tasks, scaling to six, and dev's and staging's at the lean floor", () => {
  for (const [env, min, max] of [
    ['Dev', 1, 2],
    ['Staging', 1, 2],
    ['Prod', 3, 6],
  ] as const) {
    const service = template(`ClairPipeline/Clair-${env}/Service`);
    service.hasResourceProperties('AWS::ECS::Service', { DesiredCount: min });
    service.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: min,
      MaxCapacity: max,
    });
  }
});

test("admits the other team's account to prod's scanner only, beside the pipeline account", () => {
  const trusted = (env: string) =>
    Object.values(
      template(`ClairPipeline/Clair-${env}/Service`).findResources('AWS::IAM::Role', {
        Properties: { RoleName: 'clair-scanner-invoker-eu-west-1' },
      }),
    ).flatMap((role) => [role.Properties.AssumeRolePolicyDocument.Statement[0].Principal.AWS].flat().sort());
  const [team] = company.environments.prod.scan.invokerAccounts;
  expect(trusted('Prod')).toEqual([`arn:aws:iam::${company.pipeline.account}:root`, `arn:aws:iam::${team}:root`]);
  expect(trusted('Dev')).toEqual([`arn:aws:iam::${company.pipeline.account}:root`]);
});

test('mails approvals, pipeline failures and every Clair alarm to the alert address', () => {
  for (const displayPath of [
    'ClairPipeline',
    'ClairPipeline/Clair-Dev/Service',
    'ClairPipeline/Clair-Staging/Service',
    'ClairPipeline/Clair-Prod/Service',
  ]) {
    template(displayPath).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: company.notificationEmail,
    });
  }
});

test('passes every gate: nothing is left unacknowledged', () => {
  const report = defaultValidationReport(dir);
  expect(report.pluginReports.length).toBeGreaterThan(1);
  expect(report.pluginReports.flatMap((plugin: any) => plugin.violations)).toEqual([]);
});

test('looks nothing up in any account: no lookup was ever recorded for these accounts', () => {
  expect(missingLookups(dir)).toEqual([]);
});

test("the README's offline override example names a valid setting", () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const example = /^npx cdk synth -q((?: -c \S+=\S+)+)$/m.exec(readme);
  if (!example) throw new Error('the README has no `npx cdk synth -q -c key=value` example');
  const overrides = Object.fromEntries(
    [...example[1].matchAll(/ -c (\S+?)=(\S+)/g)].map(([, key, value]) => [key, value]),
  );
  expect(overrides).toEqual({ 'clairPipeline.environments.dev.account': '123456789012' });
  const config = loadConfig(new App({ context: { clairPipeline: defaultRawConfig(), ...overrides } }).node);
  expect(config.environments[0].account).toBe('123456789012');
});
