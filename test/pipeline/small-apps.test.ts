import * as fs from 'fs';
import * as path from 'path';
import { defaultRawConfig } from '../helpers/default-config';
import { REPO_ROOT } from '../helpers/run-script';
import { missingLookups, stageStack, synthesizeApp } from '../helpers/synthesize-app';

// Apps whose stacks the default app already gates: synthesized without the gates, which are most
// of a synth's time.

/** The stage names of the pipeline in an assembly. */
function stageNames(assembly: ReturnType<typeof synthesizeApp>['assembly']): string[] {
  const template = assembly.getStackByName('ClairPipeline').template;
  const pipeline = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  return pipeline.Properties.Stages.map((stage: any) => stage.Name);
}

test('a pipeline with one environment deploys it without an approval', () => {
  const raw = defaultRawConfig();
  raw.environments = { prod: raw.environments.prod };
  const app = synthesizeApp({ config: raw, skipValidation: true });
  try {
    expect(stageNames(app.assembly)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Assets',
      'Clair-Prod',
      'SampleApp-Prod',
    ]);
  } finally {
    app.remove();
  }
});

test("the README's override example synthesizes offline, for an account no lookup was ever recorded for", () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const example = /^npx cdk synth -q((?: -c \S+=\S+)+)$/m.exec(readme);
  expect(example).not.toBeNull();
  const overrides = Object.fromEntries(
    [...example![1].matchAll(/ -c (\S+?)=(\S+)/g)].map(([, key, value]) => [key, value]),
  );
  expect(overrides).toEqual({ 'clairPipeline.environments.dev.account': '123456789012' });
  const app = synthesizeApp({ context: overrides, skipValidation: true });
  try {
    expect(missingLookups(app.assembly)).toEqual([]);
    expect(stageStack(app.assembly, 'ClairPipeline/Clair-Dev/Data').environment.account).toBe('123456789012');
  } finally {
    app.remove();
  }
});
