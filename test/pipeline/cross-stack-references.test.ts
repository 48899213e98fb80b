import * as fs from 'fs';
import { defaultStacks } from '../helpers/default-assembly';

/**
 * Where a template nests `Fn::GetStackOutput` inside another intrinsic function (`Fn::Join`,
 * `Fn::Sub`, …), as JSON paths. CloudFormation has been reported not to accept that in every
 * region (aws/aws-cdk#37948); exports and `Fn::ImportValue` are accepted everywhere.
 */
function nestedStackOutputs(value: unknown, path = '', insideIntrinsic = false): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const here = `${path}/${key}`;
    if (key === 'Fn::GetStackOutput' && insideIntrinsic) return [here];
    return nestedStackOutputs(inner, here, insideIntrinsic || key.startsWith('Fn::'));
  });
}

const templates = defaultStacks().map((stack) => ({
  displayPath: stack.displayPath,
  template: JSON.parse(fs.readFileSync(stack.templateFile, 'utf8')),
}));

describe('cross-stack references', () => {
  test('no template nests Fn::GetStackOutput inside another intrinsic function', () => {
    expect(templates.length).toBeGreaterThanOrEqual(7);
    expect(templates.flatMap((t) => nestedStackOutputs(t.template).map((path) => t.displayPath + path))).toEqual([]);
  });

  test.each(['Dev', 'Prod'])('Clair-%s Service reads the Data stack through exports (Fn::ImportValue)', (env) => {
    const service = templates.find((t) => t.displayPath === `ClairPipeline/Clair-${env}/Service`)!;
    const data = templates.find((t) => t.displayPath === `ClairPipeline/Clair-${env}/Data`)!;
    const exported = Object.values<any>(data.template.Outputs).filter((output) => output.Export);

    expect(exported.length).toBeGreaterThan(0);
    expect(JSON.stringify(service.template)).toContain('"Fn::ImportValue"');
    expect(JSON.stringify(service.template)).not.toContain('Fn::GetStackOutput');
  });

  test('rejects a weak reference inside Fn::Join (the check fires)', () => {
    const weak = { 'Fn::GetStackOutput': { StackName: 'Clair-Dev-Data', OutputName: 'Vpc' } };
    const template = { Resources: { Policy: { Properties: { Resource: { 'Fn::Join': ['', ['arn:', weak]] } } } } };

    expect(nestedStackOutputs(template)).toEqual([
      '/Resources/Policy/Properties/Resource/Fn::Join/1/1/Fn::GetStackOutput',
    ]);
    expect(nestedStackOutputs({ Outputs: { Vpc: { Value: weak } } })).toEqual([]);
  });
});
