import * as fs from 'fs';
import { defaultStacks } from '../helpers/default-assembly';

/**
 * The property holding the physical name, for every resource type that the app keeps after its
 * stack is gone (`null`: the type has no name one can choose). A retained resource of a type not
 * listed fails the walk, so a new one gets a decision.
 */
const NAME_PROPERTY: Record<string, string | null> = {
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::KMS::Key': null,
  'AWS::CodeBuild::ReportGroup': 'Name',
  'AWS::IAM::Role': 'RoleName',
  'AWS::CodeBuild::Project': 'Name',
};

/** DeletionPolicy values that leave the resource behind when its stack deletes it. */
const KEEPS = ['Retain', 'RetainExceptOnCreate'];

/** A retained resource with a name fixed before deployment, with where it was found. */
interface NamedResource {
  readonly where: string;
  readonly name: unknown;
  readonly deletionPolicy: string;
}

/**
 * Whether a name is fixed before deployment: a literal, or built only from parameters that do not
 * change between attempts (pseudo parameters). A name built from another resource's generated
 * name (CDK Pipelines' `/aws/lambda/<function>`) changes with every attempt.
 */
function isFixed(name: unknown, template: any): boolean {
  return referencedIds(name).every((id) => !(id in template.Resources));
}

/** The logical ids and parameters an intrinsic value refers to (`Ref`, `Fn::GetAtt`, `${…}` of `Fn::Sub`). */
function referencedIds(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    if (key === 'Ref') return [String(inner)];
    if (key === 'Fn::GetAtt') return [String((inner as unknown[])[0])];
    if (key === 'Fn::Sub') {
      const text = String([inner].flat()[0]);
      return [...[...text.matchAll(/\$\{([^}.!]+)/g)].map((m) => m[1]), ...referencedIds([inner].flat()[1])];
    }
    return referencedIds(inner);
  });
}

/** Every retained resource with a fixed physical name in the given templates. */
function retainedWithFixedNames(templates: Array<{ displayPath: string; template: any }>): NamedResource[] {
  return templates.flatMap(({ displayPath, template }) =>
    Object.entries<any>(template.Resources).flatMap(([id, resource]): NamedResource[] => {
      if (!KEEPS.includes(resource.DeletionPolicy)) return [];
      if (!(resource.Type in NAME_PROPERTY)) {
        throw new Error(
          `${displayPath}/${id}: retained ${resource.Type} is not in NAME_PROPERTY; add its name property (or null)`,
        );
      }
      const property = NAME_PROPERTY[resource.Type];
      const name = property ? resource.Properties?.[property] : undefined;
      if (name === undefined || !isFixed(name, template)) return [];
      return [{ where: `${displayPath}/${id}`, name, deletionPolicy: resource.DeletionPolicy }];
    }),
  );
}

/** Those whose DeletionPolicy keeps them after a failed first creation, which blocks the retry. */
function blockingRetries(resources: NamedResource[]): string[] {
  return resources
    .filter((resource) => resource.deletionPolicy !== 'RetainExceptOnCreate')
    .map((resource) => `${resource.where} (${JSON.stringify(resource.name)}): ${resource.deletionPolicy}`);
}

const templates = defaultStacks().map((stack) => ({
  displayPath: stack.displayPath,
  template: JSON.parse(fs.readFileSync(stack.templateFile, 'utf8')),
}));

describe('a failed first deployment', () => {
  const named = retainedWithFixedNames(templates);

  test("leaves no retained resource with a fixed name behind, so the retry cannot fail with 'already exists'", () => {
    expect(named.map((resource) => resource.where)).toEqual(
      expect.arrayContaining([
        'ClairPipeline/Clair-Dev/Data/DatabasePostgresqlLogs0EEFD61B',
        'ClairPipeline/Clair-Prod/Data/DatabaseUpgradeLogsA548C373',
        'ClairPipeline/Clair-Prod/Service/MonitoringFreshnessCheckLogs216540CC',
      ]),
    );
    expect(blockingRetries(named)).toEqual([]);
  });

  test('rejects a fixed-name log group that is plainly retained (the check fires)', () => {
    const tampered = structuredClone(templates);
    const data = tampered.find((t) => t.displayPath === 'ClairPipeline/Clair-Dev/Data')!;
    data.template.Resources.DatabasePostgresqlLogs0EEFD61B.DeletionPolicy = 'Retain';

    expect(blockingRetries(retainedWithFixedNames(tampered))).toEqual([
      'ClairPipeline/Clair-Dev/Data/DatabasePostgresqlLogs0EEFD61B ("/aws/rds/instance/clair-dev/postgresql"): Retain',
    ]);
  });

  test('does not count a name generated per attempt as fixed', () => {
    const template = { Resources: { Fn: {} } };

    expect(isFixed({ 'Fn::Join': ['', ['/aws/lambda/', { Ref: 'Fn' }]] }, template)).toBe(false);
    expect(isFixed({ 'Fn::Sub': '/aws/lambda/${Fn}' }, template)).toBe(false);
    expect(isFixed({ 'Fn::Sub': '/clair/${AWS::Region}' }, template)).toBe(true);
    expect(isFixed('/clair/freshness-check', template)).toBe(true);
  });
});
