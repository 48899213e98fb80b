import * as fs from 'fs';
import { parseConfig } from '../../config/config';
import { configurationItems } from '../../cost/configuration-items';
import { HOURS_PER_MONTH, ItemGroup, KEYS, rdsInstanceKey } from '../../cost/items';
import { DefaultStack, defaultStacks, ungatedAssemblyDir } from '../helpers/default-assembly';
import { costInventory } from '../helpers/shape-fixtures';

/**
 * The cost model counts from the configuration alone (so `npm run cost` needs no synth). These
 * tests prove its counts are the app's: the app of the cost model's fixture (costInventory in
 * test/helpers/shape-fixtures.ts) is synthesized once per run without the gates, and they count,
 * per account and region, what each price key bills from the resources of its templates: what
 * CloudFormation deploys, with every value as synth resolved it.
 */

/** Quantities a month by price key. */
type Quantities = Record<string, number>;

/**
 * The group a stack's resources are billed in: `<environment> Clair` or `<environment> SampleApp`
 * for an environment's stages, `pipeline <region>` for the pipeline account's stacks.
 */
function groupOf(stack: DefaultStack): string {
  const match = stack.stage ? /^(Clair|SampleApp)-(.+)$/.exec(stack.stage) : null;
  return match ? `${match[2].toLowerCase()} ${match[1]}` : `pipeline ${stack.region}`;
}

/** A property of a resource as synthesized; fails when it is not a value (an intrinsic is known only at deploy time). */
function literal(resource: any, property: string): any {
  const value = resource.Properties?.[property];
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    throw new Error(`${resource.Type}'s ${property} is not a value: ${JSON.stringify(value)}`);
  }
  return value;
}

/** The ECS service's task definition (a Ref to a resource of the same template) and the target that scales it, if any. */
function taskDefinitionAndTarget(resources: Record<string, any>, serviceId: string): [any, any] {
  const ref = resources[serviceId].Properties.TaskDefinition?.Ref;
  const taskDefinition = resources[ref];
  if (taskDefinition?.Type !== 'AWS::ECS::TaskDefinition')
    throw new Error(`${serviceId}'s task definition is not in its stack`);
  // The target scales the service it names: `service/<cluster>/<the service's Name>`.
  const names = JSON.stringify({ 'Fn::GetAtt': [serviceId, 'Name'] });
  const targets = Object.values(resources).filter(
    (resource) =>
      resource.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' &&
      resource.Properties.ScalableDimension === 'ecs:service:DesiredCount' &&
      JSON.stringify(resource.Properties.ResourceId).includes(names),
  );
  if (targets.length > 1) throw new Error(`${serviceId} has ${targets.length} scalable targets`);
  return [taskDefinition, targets[0]];
}

/** What each price key bills, counted from the resources of the app's templates, by group. */
function countedQuantities(stacks: DefaultStack[]): Record<string, Quantities> {
  const counted: Record<string, Quantities> = {};
  const add = (group: string, key: string, quantity: number) => {
    counted[group] ??= {};
    counted[group][key] = (counted[group][key] ?? 0) + quantity;
  };
  for (const stack of stacks) {
    const group = groupOf(stack);
    const hours = (key: string, count: number) => add(group, key, count * HOURS_PER_MONTH);
    const resources: Record<string, any> = JSON.parse(fs.readFileSync(stack.templateFile, 'utf8')).Resources ?? {};
    for (const [id, resource] of Object.entries(resources)) {
      const type: string = resource.Type;
      if (type === 'AWS::EC2::NatGateway') hours(KEYS.natGatewayHour, 1);
      if (type === 'AWS::EC2::EIP') hours(KEYS.publicIpv4Hour, 1);
      if (type === 'AWS::EC2::VPCEndpoint' && literal(resource, 'VpcEndpointType') === 'Interface') {
        hours(KEYS.interfaceEndpointHour, literal(resource, 'SubnetIds').length);
      }
      if (
        type === 'AWS::ElasticLoadBalancingV2::LoadBalancer' &&
        (literal(resource, 'Type') ?? 'application') === 'application'
      ) {
        hours(KEYS.albHour, 1);
      }
      if (type === 'AWS::RDS::DBInstance') {
        const copies = literal(resource, 'MultiAZ') === true ? 2 : 1;
        const instanceClass: string = literal(resource, 'DBInstanceClass');
        hours(rdsInstanceKey(instanceClass.replace(/^db\./, '')), copies);
        add(group, KEYS.rdsGp3GbMonth, copies * Number(literal(resource, 'AllocatedStorage')));
      }
      if (type === 'AWS::ECS::Service') {
        const [taskDefinition, target] = taskDefinitionAndTarget(resources, id);
        const tasks = (target && literal(target, 'MinCapacity')) ?? literal(resource, 'DesiredCount') ?? 1;
        const publicIp = resource.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp;
        hours(KEYS.fargateVcpuHour, (tasks * Number(literal(taskDefinition, 'Cpu'))) / 1024);
        hours(KEYS.fargateGbHour, (tasks * Number(literal(taskDefinition, 'Memory'))) / 1024);
        if (publicIp === 'ENABLED') hours(KEYS.publicIpv4Hour, tasks);
      }
      if (type === 'AWS::KMS::Key') add(group, KEYS.kmsKeyMonth, 1);
      if (type === 'AWS::SecretsManager::Secret') add(group, KEYS.secretMonth, 1);
      if (type === 'AWS::CloudWatch::Alarm') {
        // CloudWatch bills an alarm on a math expression once per metric it reads.
        const metrics: any[] | undefined = literal(resource, 'Metrics');
        add(group, KEYS.alarmMetricMonth, metrics ? metrics.filter((query) => query.MetricStat).length : 1);
      }
      if (type === 'AWS::Logs::MetricFilter') {
        add(group, KEYS.customMetricMonth, literal(resource, 'MetricTransformations').length);
      }
    }
  }
  return counted;
}

/** What the model bills by price key, by group (the same names as {@link groupOf}). */
function modelQuantities(groups: ItemGroup[]): Record<string, Quantities> {
  const model: Record<string, Quantities> = {};
  for (const group of groups) {
    const name = group.title.startsWith('pipeline') ? `pipeline ${group.region}` : group.title.split(' ')[0];
    model[name] ??= {};
    for (const charge of group.fixed.flatMap((item) => item.charges)) {
      model[name][charge.price] = (model[name][charge.price] ?? 0) + charge.quantity;
    }
  }
  return model;
}

/** Adds up the groups whose name starts with the same word: an environment's two stages. */
function byEnvironment(quantities: Record<string, Quantities>): Record<string, Quantities> {
  const merged: Record<string, Quantities> = {};
  for (const [group, each] of Object.entries(quantities)) {
    const name = group.startsWith('pipeline') ? group : group.split(' ')[0];
    merged[name] ??= {};
    for (const [key, quantity] of Object.entries(each)) merged[name][key] = (merged[name][key] ?? 0) + quantity;
  }
  return merged;
}

const FIXTURE = costInventory();
const counted = countedQuantities(defaultStacks(ungatedAssemblyDir('costInventory')));
const config = parseConfig(FIXTURE);
const model = modelQuantities(configurationItems(config));

test('the model bills, per account and region, exactly what the synthesized app holds', () => {
  const held = byEnvironment(counted);
  expect(Object.keys(model).sort()).toEqual(Object.keys(held).sort());
  for (const group of Object.keys(held)) {
    expect({ group, quantities: model[group] }).toEqual({ group, quantities: held[group] });
  }
});

test('the fixture exercises what the model distinguishes', () => {
  // Multi-AZ doubling, the updater's alarms, endpoints in three zones, a public-IP sample app,
  // and the pipeline's support stacks in the environments' other regions.
  expect(model.prod[rdsInstanceKey('t4g.medium')]).toBe(2 * HOURS_PER_MONTH);
  expect(model.stage[rdsInstanceKey('t4g.large')]).toBe(HOURS_PER_MONTH);
  expect(model.stage[KEYS.alarmMetricMonth]).toBeLessThan(model.prod[KEYS.alarmMetricMonth]);
  expect(model.stage[KEYS.interfaceEndpointHour]).toBe(12 * HOURS_PER_MONTH);
  expect(model.prod[KEYS.natGatewayHour]).toBe(HOURS_PER_MONTH);
  expect(
    Object.keys(model)
      .filter((group) => group.startsWith('pipeline'))
      .sort(),
  ).toEqual(['pipeline eu-central-1', 'pipeline eu-west-1', 'pipeline us-east-2']);
});

test('with its sample app switched off, an environment bills exactly what its Clair stage holds', () => {
  const switchedOff = structuredClone(FIXTURE) as { environments: Record<string, object> };
  for (const name of ['dev', 'prod'])
    switchedOff.environments[name] = { ...switchedOff.environments[name], sampleApp: false };
  const without = modelQuantities(configurationItems(parseConfig(switchedOff)));
  expect(without.dev).toEqual(counted['dev Clair']);
  expect(without.prod).toEqual(counted['prod Clair']);
  expect(without.stage).toEqual(model.stage);
});
