import { App } from 'aws-cdk-lib';
import { APP_PROPS } from '../../pipeline/app-props';
import { buildApp } from '../../pipeline/build-app';
import { defaultContext, defaultRawConfig } from '../helpers/default-config';
import { quietly } from '../helpers/synthesize-app';

/**
 * The pipeline's stages and their actions, from the app as built, without synthesizing it (the
 * gates are most of a synth's time): building creates every stage, action and construct, so a
 * clash of ids throws here too.
 */
function builtStages(raw: unknown): { name: string; actions: string[] }[] {
  const app = new App({ ...APP_PROPS, context: { ...defaultContext(), clairPipeline: raw } });
  return quietly(() => buildApp(app)).pipeline.pipeline.stages.map((stage) => ({
    name: stage.stageName,
    actions: stage.actions.map((action) => action.actionProperties.actionName),
  }));
}

test('a pipeline with one environment deploys it without an approval', () => {
  const raw = defaultRawConfig();
  raw.environments = { prod: raw.environments.prod };
  expect(builtStages(raw).map((stage) => stage.name)).toEqual([
    'Source',
    'Build',
    'UpdatePipeline',
    'Assets',
    'Clair-Prod',
    'SampleApp-Prod',
  ]);
});

test('environments whose names differ only by a hyphen get distinct ids', () => {
  const raw = defaultRawConfig();
  raw.environments = {
    ab: { account: '444444444444', region: 'eu-west-1', availabilityZones: ['eu-west-1a', 'eu-west-1b'] },
    'a-b': { account: '555555555555', region: 'eu-west-1', availabilityZones: ['eu-west-1a', 'eu-west-1b'] },
  };
  const stages = builtStages(raw);
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
