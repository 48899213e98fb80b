import { pipelineStages, ungatedAssemblyDir } from '../helpers/default-assembly';

/*
 * The pipeline's stages and their actions, as synthesized (the pipeline template's stage and action
 * names), of two small apps synthesized once per run without the gates (test/helpers/shape-fixtures.ts;
 * the gates are most of a synth's time): synthesis builds every stage, action and construct, so a
 * clash of ids fails the synth, and with it these tests.
 */

test('a pipeline with one environment deploys it without an approval', () => {
  expect(pipelineStages(ungatedAssemblyDir('oneEnvironment')).map((stage) => stage.name)).toEqual([
    'Source',
    'Build',
    'UpdatePipeline',
    'Assets',
    'Clair-Prod',
    'SampleApp-Prod',
  ]);
});

test('environments whose names differ only by a hyphen get distinct ids', () => {
  const stages = pipelineStages(ungatedAssemblyDir('hyphenatedNames'));
  expect(stages.map((stage) => stage.name).slice(4)).toEqual([
    'Clair-Ab',
    'SampleApp-Ab',
    'Approve-A-b',
    'Clair-A-b',
    'SampleApp-A-b',
  ]);
  expect(stages.find((stage) => stage.name === 'Approve-A-b')!.actions).toEqual(
    expect.arrayContaining(['CheckPermissions-Clair-A-b.Check', 'CheckPermissions-SampleApp-A-b.Check']),
  );
});
