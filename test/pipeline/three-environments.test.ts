import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { defaultRawConfig } from '../helpers/default-config';
import { REPO_ROOT } from '../helpers/run-script';
import { missingLookups, stageStack, SynthesizedApp, synthesizeApp } from '../helpers/synthesize-app';

/** The `-c key=value` overrides of the README's offline synth example, as the CLI passes them. */
function readmeOverrides(): Record<string, string> {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const example = /^npx cdk synth -q((?: -c \S+=\S+)+)$/m.exec(readme);
  if (!example) throw new Error('the README has no `npx cdk synth -q -c key=value` example');
  return Object.fromEntries([...example[1].matchAll(/ -c (\S+?)=(\S+)/g)].map(([, key, value]) => [key, value]));
}
const README_OVERRIDES = readmeOverrides();

// One synthesis, every gate on (a gate finding fails synth, and so every test here): dev, then
// staging in another region and account with three zones, then prod; dev and prod as cdk.json
// ships them, with the README's override example laid over them as `cdk synth -c` would.
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
  app = synthesizeApp({ config: raw, context: README_OVERRIDES });
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

test("looks nothing up in any account, with the README's override example for an account no lookup was ever recorded for", () => {
  expect(README_OVERRIDES).toEqual({ 'clairPipeline.environments.dev.account': '123456789012' });
  expect(stageStack(app.assembly, 'ClairPipeline/Clair-Dev/Data').environment.account).toBe('123456789012');
  expect(missingLookups(app.assembly)).toEqual([]);
});
