import { constructPaths, pipelineStages, synthStderr, ungatedAssemblyDir } from '../helpers/default-assembly';

// One app, synthesized once per run without the gates (the gates are most of a synth's time) from
// a company configuration whose prod runs no sample app and which names no address for
// notifications (noSampleAppInProdNoAddress, test/helpers/shape-fixtures.ts); what its synth
// wrote to stderr is kept beside it.
const dir = ungatedAssemblyDir('noSampleAppInProdNoAddress');
const stages = pipelineStages(dir);

function actionsOf(name: string): string[] {
  return stages.find((stage) => stage.name === name)!.actions;
}

test('an environment without the sample app deploys Clair and its readiness check, and no SampleApp stage', () => {
  expect(stages.map((stage) => stage.name)).toEqual([
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
  expect(stages.flatMap((stage) => stage.actions)).not.toContain('ScanSampleApp-Prod');
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
  // Every construct of the app, from the assembly's construct tree.
  const paths = constructPaths(dir);
  expect(paths.filter((path) => path.startsWith('ClairPipeline/SampleApp-Prod'))).toEqual([]);
  expect(paths).toContain('ClairPipeline/SampleApp-Dev/App/Network');
});

test('synth says once who will not be told about approvals and alarms', () => {
  const output = synthStderr(dir);
  expect(output.match(/NOBODY IS NOTIFIED/g)).toHaveLength(1);
  expect(output).toContain(
    'NOBODY IS NOTIFIED: no e-mail address receives\n' +
      '    approval requests and pipeline failures (set clairPipeline.notificationEmail)\n' +
      '    the alarms of dev, prod (set clairPipeline.notificationEmail, or clairPipeline.environments.<name>.monitoring.alarmEmail)\n',
  );
});
