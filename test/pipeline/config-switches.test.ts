import { App } from 'aws-cdk-lib';
import { APP_PROPS } from '../../pipeline/app-props';
import { buildApp } from '../../pipeline/build-app';
import { PipelineStack } from '../../pipeline/pipeline-stack';
import { appContext, fixtureConfig } from '../config/fixture-config';

// One app, built (not synthesized: the gates are most of a synth's time, and building creates
// every stage, action and construct) from a company configuration whose prod runs no sample app
// and which names no address for notifications; what the build writes to stderr is kept.
const raw = fixtureConfig();
delete raw.notificationEmail;
raw.environments.prod.sampleApp = false;
const written: string[] = [];
const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
  written.push(String(chunk));
  return true;
});
let stack: PipelineStack;
try {
  stack = buildApp(new App({ ...APP_PROPS, context: appContext(raw) }));
} finally {
  spy.mockRestore();
}

function stages(): { name: string; actions: string[] }[] {
  return stack.pipeline.pipeline.stages.map((stage) => ({
    name: stage.stageName,
    actions: stage.actions.map((action) => action.actionProperties.actionName),
  }));
}

function actionsOf(name: string): string[] {
  return stages().find((stage) => stage.name === name)!.actions;
}

test('an environment without the sample app deploys Clair and its readiness check, and no SampleApp stage', () => {
  expect(stages().map((stage) => stage.name)).toEqual([
    'Source',
    'Build',
    'UpdatePipeline',
    'Assets',
    'Clair-Dev',
    'SampleApp-Dev',
    'Approve-Prod',
    'Clair-Prod',
  ]);
  expect(actionsOf('Clair-Prod')).toEqual(expect.arrayContaining(['ClairReadiness-Prod']));
  expect(stages().flatMap((stage) => stage.actions)).not.toContain('ScanSampleApp-Prod');
});

test('the environment with the sample app still scans it before deploying it', () => {
  expect(actionsOf('SampleApp-Dev')).toEqual(expect.arrayContaining(['ScanSampleApp-Dev']));
});

test('the approval before it checks only the Clair stage for broadened permissions', () => {
  expect(actionsOf('Approve-Prod')).toEqual([
    'CheckPermissions-Clair-Prod.Check',
    'CheckPermissions-Clair-Prod.Confirm',
    'PromoteTo-Prod',
  ]);
});

test('nothing of the sample app is built for it: no stage, VPC or NAT gateway', () => {
  const paths = stack.node.root.node.findAll().map((construct) => construct.node.path);
  expect(paths.filter((path) => path.startsWith('ClairPipeline/SampleApp-Prod'))).toEqual([]);
  expect(paths).toContain('ClairPipeline/SampleApp-Dev/App/Network');
});

test('synth says once who will not be told about approvals and alarms', () => {
  const output = written.join('');
  expect(output.match(/NOBODY IS NOTIFIED/g)).toHaveLength(1);
  expect(output).toContain(
    'NOBODY IS NOTIFIED: no e-mail address receives\n' +
      '    approval requests and pipeline failures (set clairPipeline.notificationEmail)\n' +
      '    the alarms of dev, prod (set clairPipeline.notificationEmail, or clairPipeline.environments.<name>.monitoring.alarmEmail)\n',
  );
});
