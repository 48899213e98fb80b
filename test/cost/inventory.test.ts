import { App, CfnResource, Stack, Stage } from 'aws-cdk-lib';
import * as applicationautoscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { parseConfig } from '../../config/config';
import { configurationItems } from '../../cost/configuration-items';
import { HOURS_PER_MONTH, ItemGroup, KEYS, rdsInstanceKey } from '../../cost/items';
import { APP_PROPS } from '../../pipeline/app-props';
import { buildApp } from '../../pipeline/build-app';
import { defaultContext } from '../helpers/default-config';
import { quietly } from '../helpers/synthesize-app';

/**
 * The cost model counts from the configuration alone (so `npm run cost` needs no synth). These
 * tests prove its counts are the app's: they build the app from fixture configurations (building
 * creates every resource; synthesizing would only add the gates' time) and count, per account and
 * region, what each price key bills from the resources themselves.
 */

/** Quantities a month by price key. */
type Quantities = Record<string, number>;

const CONNECTION = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b';

/**
 * Three environments that between them turn every setting the model reads: a lean one beside the
 * pipeline; a production one in another region with three zones, the updater off, a big Clair
 * and a Single-AZ database; a production one with one NAT gateway and the sample app on public IPs.
 */
const FIXTURE = {
  pipeline: { account: '111111111111', region: 'eu-west-1' },
  source: { repository: 'example-org/clair-pipeline', branch: 'main', connectionArn: CONNECTION },
  environments: {
    dev: {
      account: '444444444444',
      region: 'eu-west-1',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      profile: 'lean',
    },
    stage: {
      account: '555555555555',
      region: 'us-east-2',
      availabilityZones: ['us-east-2a', 'us-east-2b', 'us-east-2c'],
      profile: 'production',
      clair: { updaterInterval: '0', cpu: 2048, memoryMiB: 8192, minTasks: 3, maxTasks: 5 },
      database: { instanceType: 't4g.large', multiAz: false, allocatedStorageGiB: 50 },
    },
    prod: {
      account: '666666666666',
      region: 'eu-central-1',
      availabilityZones: ['eu-central-1a', 'eu-central-1b'],
      profile: 'production',
      network: { natGateways: 1 },
      database: { allocatedStorageGiB: 30 },
      sampleApp: { egress: 'public-ip' },
    },
  },
};

/**
 * The group a stack's resources are billed in: `<environment> Clair` or `<environment> SampleApp`
 * for an environment's stages, `pipeline <region>` for the pipeline account's stacks.
 */
function groupOf(stack: Stack): string {
  const stage = Stage.of(stack);
  const match = stage && !(stage instanceof App) ? /^(Clair|SampleApp)-(.+)$/.exec(stage.stageName) : null;
  return match ? `${match[2].toLowerCase()} ${match[1]}` : `pipeline ${stack.region}`;
}

/** What each price key bills, counted from the resources the app holds, by group. */
function countedQuantities(app: App): Record<string, Quantities> {
  const counted: Record<string, Quantities> = {};
  const add = (group: string, key: string, quantity: number) => {
    counted[group] ??= {};
    counted[group][key] = (counted[group][key] ?? 0) + quantity;
  };
  const constructs = app.node.findAll();
  for (const resource of constructs.filter(CfnResource.isCfnResource)) {
    const group = groupOf(Stack.of(resource));
    const hours = (key: string, count: number) => add(group, key, count * HOURS_PER_MONTH);
    if (resource instanceof ec2.CfnNatGateway) hours(KEYS.natGatewayHour, 1);
    if (resource instanceof ec2.CfnEIP) hours(KEYS.publicIpv4Hour, 1);
    if (resource instanceof ec2.CfnVPCEndpoint && resource.vpcEndpointType === 'Interface') {
      hours(KEYS.interfaceEndpointHour, resource.subnetIds!.length);
    }
    if (resource instanceof elbv2.CfnLoadBalancer && (resource.type ?? 'application') === 'application') {
      hours(KEYS.albHour, 1);
    }
    if (resource instanceof rds.CfnDBInstance) {
      const copies = resource.multiAz ? 2 : 1;
      const instanceClass: string = Stack.of(resource).resolve(resource.dbInstanceClass);
      hours(rdsInstanceKey(instanceClass.replace(/^db\./, '')), copies);
      add(group, KEYS.rdsGp3GbMonth, copies * Number(resource.allocatedStorage));
    }
    if (resource instanceof ecs.CfnService) {
      const service = resource.node.scope!;
      const taskDefinition = (service as ecs.FargateService).taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
      const target = constructs.find(
        (candidate): candidate is applicationautoscaling.CfnScalableTarget =>
          candidate instanceof applicationautoscaling.CfnScalableTarget &&
          candidate.node.path.startsWith(`${service.node.path}/`),
      );
      const tasks = target?.minCapacity ?? resource.desiredCount ?? 1;
      // Set lazily by the L2 service: resolve it as synth would.
      const network = Stack.of(resource).resolve(resource.networkConfiguration);
      const publicIp = network.awsvpcConfiguration.assignPublicIp;
      hours(KEYS.fargateVcpuHour, (tasks * Number(taskDefinition.cpu)) / 1024);
      hours(KEYS.fargateGbHour, (tasks * Number(taskDefinition.memory)) / 1024);
      if (publicIp === 'ENABLED') hours(KEYS.publicIpv4Hour, tasks);
    }
    if (resource.cfnResourceType === 'AWS::KMS::Key') add(group, KEYS.kmsKeyMonth, 1);
    if (resource.cfnResourceType === 'AWS::SecretsManager::Secret') add(group, KEYS.secretMonth, 1);
    if (resource instanceof cloudwatch.CfnAlarm) {
      // CloudWatch bills an alarm on a math expression once per metric it reads.
      const metrics = resource.metrics as cloudwatch.CfnAlarm.MetricDataQueryProperty[] | undefined;
      add(group, KEYS.alarmMetricMonth, metrics ? metrics.filter((query) => query.metricStat).length : 1);
    }
    if (resource instanceof logs.CfnMetricFilter) {
      add(group, KEYS.customMetricMonth, (resource.metricTransformations as unknown[]).length);
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

const app = new App({ ...APP_PROPS, context: { ...defaultContext(), clairPipeline: FIXTURE } });
quietly(() => buildApp(app));
const counted = countedQuantities(app);
const config = parseConfig(FIXTURE);
const model = modelQuantities(configurationItems(config));

test('the model bills, per account and region, exactly what the built app holds', () => {
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
