import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { defaultRawConfig } from '../helpers/default-config';
import { missingLookups, stageStack, SynthesizedApp, synthesizeApp } from '../helpers/synthesize-app';

// One synthesis, every gate on: dev, then staging in another region and account with three
// zones, then prod. A gate finding fails synth, and so every test here.
let app: SynthesizedApp;
beforeAll(() => {
  const raw = defaultRawConfig();
  raw.environments = {
    dev: raw.environments.dev,
    staging: {
      account: '444444444444',
      region: 'eu-central-1',
      availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
    },
    prod: raw.environments.prod,
  };
  app = synthesizeApp({ config: raw });
});
afterAll(() => app?.remove());

function pipelineStages(): any[] {
  const template = app.assembly.getStackByName('ClairPipeline').template;
  return Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline').Properties.Stages;
}

function crossRegionTemplate(): Template {
  const support = app.assembly.stacks.find((stack) => stack.stackName === 'ClairPipeline-support-eu-central-1');
  expect(support?.environment.region).toBe('eu-central-1');
  return Template.fromJSON(support!.template);
}

test('promotes in the order of the config, with an approval before every environment but the first', () => {
  expect(pipelineStages().map((stage) => stage.Name)).toEqual([
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

test('deploys staging in its own region, through zones it was given', () => {
  const staging = pipelineStages().find((stage) => stage.Name === 'Clair-Staging');
  const deploys = staging.Actions.filter((action: any) => action.ActionTypeId.Category === 'Deploy');
  expect(deploys.length).toBeGreaterThan(0);
  for (const deploy of deploys) expect(deploy.Region).toBe('eu-central-1');
  const data = stageStack(app.assembly, 'ClairPipeline/Clair-Staging/Data');
  const zones = Object.values<any>(data.template.Resources)
    .filter((r) => r.Type === 'AWS::EC2::Subnet')
    .map((r) => r.Properties.AvailabilityZone);
  expect([...new Set(zones)].sort()).toEqual(['eu-central-1a', 'eu-central-1b', 'eu-central-1c']);
});

test('hardens the replication bucket and key of the cross-region support stack', () => {
  const support = crossRegionTemplate();
  const buckets = Object.values(support.findResources('AWS::S3::Bucket')).map((r) => r.Properties);
  const replication = buckets.find((bucket) => bucket.BucketEncryption)!;
  expect(replication).toMatchObject({
    VersioningConfiguration: { Status: 'Enabled' },
    LoggingConfiguration: { LogFilePrefix: 'replication/' },
    NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
  });
  const key = Object.values(support.findResources('AWS::KMS::Key'))[0].Properties;
  expect(key.KeyPolicy.Statement).toEqual(
    expect.arrayContaining([expect.objectContaining({ Sid: 'DenyGrantsExceptForAwsServices', Effect: 'Deny' })]),
  );
});

test('passes every gate: nothing is left unacknowledged', () => {
  const report = JSON.parse(fs.readFileSync(path.join(app.assembly.directory, 'validation-report.json'), 'utf8'));
  expect(report.pluginReports.length).toBeGreaterThan(1);
  expect(report.pluginReports.flatMap((plugin: any) => plugin.violations)).toEqual([]);
});

test('looks nothing up in any account', () => {
  expect(missingLookups(app.assembly)).toEqual([]);
});
