import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { EnvironmentConfig, parseConfig } from '../../config/config';
import { ClairFreshnessCheck, FRESHNESS_LOG_GROUP_NAME, READY_LINE } from '../../stages/clair/freshness-check';
import { ClairMonitoring } from '../../stages/clair/monitoring';
import { APP_PROPS } from '../../pipeline/app-props';
import { CANARY, Scenario } from '../container/scanner/scenario';
import { defaultTemplate } from '../helpers/default-assembly';
import { defaultRawConfig } from '../helpers/default-config';
import { REPO_ROOT } from '../helpers/run-script';

const NOTIFICATION_EMAIL = 'platform-team@example.com';
const PROD_ALARM_EMAIL = 'clair-prod-oncall@example.com';

// The default configuration, with the pipeline's notification address and a prod-only alarm address.
const raw = defaultRawConfig();
raw.notificationEmail = NOTIFICATION_EMAIL;
raw.environments.prod.monitoring = { alarmEmail: PROD_ALARM_EMAIL };
const config = parseConfig(raw);
const [dev, prod] = config.environments;

// The default app's Clair stacks, synthesized once per run with their gates (a finding fails
// every test). The address and updater-off cases are the construct alone on imported resources.
const templates: Record<string, Template> = {
  dev: defaultTemplate('ClairPipeline/Clair-Dev/Service'),
  prod: defaultTemplate('ClairPipeline/Clair-Prod/Service'),
};
const updaterOff = Template.fromStack(
  monitoringOfImportedResources(new App(APP_PROPS), { ...dev, clair: { ...dev.clair, updaterInterval: '0' } }),
);

/** ClairMonitoring on imported resources (and a stand-in scanner): no stage, no gates, just the construct. */
function monitoringOfImportedResources(scope: App, environment: EnvironmentConfig): Stack {
  const stack = new Stack(scope, 'UpdaterOff', { env: { account: environment.account, region: environment.region } });
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${environment.region}:${environment.account}:${resource}`;
  const loadBalancerArn = arn('elasticloadbalancing', 'loadbalancer/app/clair/0123456789abcdef');
  new ClairMonitoring(stack, 'Monitoring', {
    environment,
    service: ecs.FargateService.fromFargateServiceAttributes(stack, 'Service', {
      cluster: ecs.Cluster.fromClusterArn(stack, 'Cluster', arn('ecs', 'cluster/clair')),
      serviceName: 'clair',
    }),
    loadBalancer: elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'LoadBalancer', {
      loadBalancerArn,
      securityGroupId: 'sg-0123456789abcdef0',
    }),
    targetGroup: elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, 'Targets', {
      targetGroupArn: arn('elasticloadbalancing', 'targetgroup/clair/0123456789abcdef'),
      loadBalancerArns: loadBalancerArn,
    }),
    clairLogGroup: logs.LogGroup.fromLogGroupName(stack, 'ClairLogs', 'clair'),
    database: rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Database', {
      instanceIdentifier: 'clair-dev',
      instanceEndpointAddress: 'clair-dev.example.internal',
      port: 5432,
      securityGroups: [],
    }),
    // A project of the stack: the check grants its role writes to the freshness log group.
    scanner: new codebuild.Project(stack, 'Scanner', { buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2' }) }),
  });
  return stack;
}

function alarms(template: Template): Array<Record<string, any>> {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((resource) => resource.Properties);
}

function topicRef(template: Template): { Ref: string } {
  const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
  expect(topics).toHaveLength(1);
  return { Ref: topics[0] };
}

function logicalId(template: Template, type: string, props: Record<string, unknown>): string {
  const ids = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** One alarm's expected metric and rule; `env` is filled in per environment. */
/** The rescan's alarms, in the same stack (their metrics: test/stages/rescan.test.ts). */
const RESCAN_ALARMS = ['running-images-failing-policy', 'rescan-failed', 'rescan-silent'];

const EXPECTED_ALARMS: Array<[string, string, string, string, number, number, string, number, string]> = [
  // name suffix, namespace, metric, statistic, period (s), threshold, comparison, periods, missing data
  [
    'alb-unhealthy-targets',
    'AWS/ApplicationELB',
    'UnHealthyHostCount',
    'Maximum',
    300,
    1,
    'GreaterThanOrEqualToThreshold',
    3,
    'notBreaching',
  ],
  [
    'alb-5xx',
    'AWS/ApplicationELB',
    'HTTPCode_ELB_5XX_Count',
    'Sum',
    300,
    5,
    'GreaterThanOrEqualToThreshold',
    1,
    'notBreaching',
  ],
  [
    'target-5xx',
    'AWS/ApplicationELB',
    'HTTPCode_Target_5XX_Count',
    'Sum',
    300,
    5,
    'GreaterThanOrEqualToThreshold',
    1,
    'notBreaching',
  ],
  [
    'task-cpu-high',
    'AWS/ECS',
    'CPUUtilization',
    'Average',
    300,
    85,
    'GreaterThanOrEqualToThreshold',
    3,
    'notBreaching',
  ],
  [
    'task-memory-high',
    'AWS/ECS',
    'MemoryUtilization',
    'Average',
    300,
    85,
    'GreaterThanOrEqualToThreshold',
    3,
    'notBreaching',
  ],
  ['db-cpu-high', 'AWS/RDS', 'CPUUtilization', 'Average', 300, 80, 'GreaterThanOrEqualToThreshold', 3, 'notBreaching'],
  // 5% of the initial 20 GiB: half of where storage autoscaling acts.
  [
    'db-free-storage-low',
    'AWS/RDS',
    'FreeStorageSpace',
    'Minimum',
    300,
    0.05 * 20 * 1024 ** 3,
    'LessThanThreshold',
    2,
    'notBreaching',
  ],
  [
    'db-connections-high',
    'AWS/RDS',
    'DatabaseConnections',
    'Maximum',
    300,
    100,
    'GreaterThanThreshold',
    3,
    'notBreaching',
  ],
  [
    'scanner-build-failures',
    'AWS/CodeBuild',
    'FailedBuilds',
    'Sum',
    300,
    1,
    'GreaterThanOrEqualToThreshold',
    1,
    'notBreaching',
  ],
  // rate(1 day) plus one check's bound (readiness 60 + 30 minutes): 25.5 hours, in whole hours.
  ['freshness-check', 'Clair', 'FreshnessChecksPassed', 'Sum', 3600, 1, 'LessThanThreshold', 26, 'breaching'],
  // Two updater intervals of 2h.
  ['updates-stalled', 'Clair', 'UpdatesFinished', 'Sum', 7200, 1, 'LessThanThreshold', 2, 'breaching'],
  ['updater-errors', 'Clair', 'UpdaterErrors', 'Sum', 7200, 1, 'GreaterThanOrEqualToThreshold', 2, 'notBreaching'],
];
const UPDATER_ALARMS = ['updates-stalled', 'updater-errors'];

describe.each(['dev', 'prod'])('the %s Clair stage', (env) => {
  const template = templates[env];

  test.each(EXPECTED_ALARMS)(
    `alarms clair-${env}-%s on %s %s (%s over %i s) against %d`,
    (name, namespace, metricName, statistic, period, threshold, comparison, periods, missing) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `clair-${env}-${name}`,
        Namespace: namespace,
        MetricName: metricName,
        Statistic: statistic,
        Period: period,
        Threshold: threshold,
        ComparisonOperator: comparison,
        EvaluationPeriods: periods,
        DatapointsToAlarm: periods,
        TreatMissingData: missing,
        AlarmActions: [topicRef(template)],
        OKActions: [topicRef(template)],
      });
    },
  );

  test('alarms when fewer tasks run than desired for three 5-minute windows, also when the counts stop', () => {
    const serviceDimensions = [
      { Name: 'ClusterName', Value: Match.anyValue() },
      { Name: 'ServiceName', Value: Match.anyValue() },
    ];
    const count = (id: string, metricName: string, stat: string) => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: 'ECS/ContainerInsights', MetricName: metricName, Dimensions: serviceDimensions },
        Period: 300,
        Stat: stat,
      },
      ReturnData: false,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `clair-${env}-tasks-below-desired`,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'desired - running', ReturnData: true }),
        count('desired', 'DesiredTaskCount', 'Maximum'),
        count('running', 'RunningTaskCount', 'Minimum'),
      ]),
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'breaching',
      AlarmActions: [topicRef(template)],
    });
  });

  test('has exactly the listed alarms, each notifying the topic on alarm and on recovery', () => {
    const found = alarms(template);
    expect(found.map((alarm) => alarm.AlarmName).sort()).toEqual(
      [...EXPECTED_ALARMS.map(([name]) => name), 'tasks-below-desired', ...RESCAN_ALARMS]
        .map((name) => `clair-${env}-${name}`)
        .sort(),
    );
    for (const alarm of found) {
      expect(alarm).toMatchObject({ AlarmActions: [topicRef(template)], OKActions: [topicRef(template)] });
      expect(alarm.ActionsEnabled).not.toBe(false);
    }
  });

  test('watches the load balancer and target group that serve Clair', () => {
    const targetGroup = logicalId(template, 'AWS::ElasticLoadBalancingV2::TargetGroup', {});
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `clair-${env}-alb-unhealthy-targets`,
      Dimensions: Match.arrayWith([
        { Name: 'TargetGroup', Value: { 'Fn::GetAtt': [targetGroup, 'TargetGroupFullName'] } },
      ]),
    });
  });

  test("counts Clair's updater events with JSON filters on Clair's own log group", () => {
    const [taskDefinition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    const clairLogs = taskDefinition.Properties.ContainerDefinitions[0].LogConfiguration.Options['awslogs-group'].Ref;
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: clairLogs },
      FilterPattern: '{ $.Event = "update finished" }',
      MetricTransformations: [{ MetricNamespace: 'Clair', MetricName: 'UpdatesFinished', MetricValue: '1' }],
    });
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: clairLogs },
      FilterPattern: '{ $.Event = "an error occured when fetching update" }',
      MetricTransformations: [{ MetricNamespace: 'Clair', MetricName: 'UpdaterErrors', MetricValue: '1' }],
    });
  });

  test('runs the scanner in readiness-only mode on the configured schedule, logging to its own group', () => {
    const project = logicalId(template, 'AWS::CodeBuild::Project', { Name: 'clair-scanner' });
    // The rescan's schedule is tested with it (test/stages/rescan.test.ts).
    const rules = Object.values(template.findResources('AWS::Events::Rule'))
      .map((rule) => rule.Properties)
      .filter((rule) => !String(rule.Description).startsWith('Rescans'));
    expect(rules).toHaveLength(1);
    const [rule] = rules;
    expect(rule).toMatchObject({ ScheduleExpression: 'rate(1 day)', State: 'ENABLED' });
    expect(rule.Targets).toHaveLength(1);
    expect(rule.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [project, 'Arn'] });
    const [prefix, freshnessLogs, suffix] = rule.Targets[0].Input['Fn::Join'][1];
    const input = JSON.parse(`${prefix}FRESHNESS_LOGS${suffix}`);
    expect(input).toEqual({
      environmentVariablesOverride: [{ name: 'READINESS_ONLY', value: 'true', type: 'PLAINTEXT' }],
      timeoutInMinutesOverride: 90,
      logsConfigOverride: {
        cloudWatchLogs: { status: 'ENABLED', groupName: 'FRESHNESS_LOGS', streamName: 'freshness-check' },
      },
    });
    // The scheduled builds' log group has the name the runbook uses, and is not the scanner's own,
    // so gate scans cannot count as checks.
    expect(
      logicalId(template, 'AWS::Logs::LogGroup', {
        LogGroupName: FRESHNESS_LOG_GROUP_NAME,
        KmsKeyId: Match.anyValue(),
      }),
    ).toBe(freshnessLogs.Ref);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Name: 'clair-scanner',
      LogsConfig: { CloudWatchLogs: { GroupName: Match.not(freshnessLogs) } },
    });
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: freshnessLogs,
      FilterPattern: `"${READY_LINE}"`,
      MetricTransformations: [{ MetricNamespace: 'Clair', MetricName: 'FreshnessChecksPassed', MetricValue: '1' }],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: Match.arrayWith([{ 'Fn::GetAtt': [freshnessLogs.Ref, 'Arn'] }]),
          }),
        ]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('^ScannerProjectRole') }],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Action: 'codebuild:StartBuild', Effect: 'Allow', Resource: { 'Fn::GetAtt': [project, 'Arn'] } }],
      },
    });
  });

  test('shows the alarms, the metrics and the recent freshness checks on one dashboard', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: `clair-${env}` });
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const shown of [
      'type\\":\\"alarm',
      'FailedBuilds',
      'SucceededBuilds',
      'FreshnessChecksPassed',
      'UpdatesFinished',
      'RunningTaskCount',
      'FreeStorageSpace',
      'Recent freshness checks',
    ]) {
      expect(body).toContain(shown);
    }
  });
});

test('each environment mails its alarms to its own address, defaulting to the notification address', () => {
  Template.fromStack(monitoringOfImportedResources(new App(APP_PROPS), dev)).hasResourceProperties(
    'AWS::SNS::Subscription',
    {
      Protocol: 'email',
      Endpoint: NOTIFICATION_EMAIL,
    },
  );
  Template.fromStack(monitoringOfImportedResources(new App(APP_PROPS), prod)).hasResourceProperties(
    'AWS::SNS::Subscription',
    {
      Protocol: 'email',
      Endpoint: PROD_ALARM_EMAIL,
    },
  );
  for (const template of Object.values(templates)) {
    template.resourceCountIs('AWS::SNS::Subscription', 0); // the default config names no address
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: Match.stringLikeRegexp('^clair-(dev|prod) alarms$'),
      KmsMasterKeyId: Match.anyValue(),
    });
  }
  expect(dev.monitoring.alarmEmail).toBe(NOTIFICATION_EMAIL);
  expect(prod.monitoring.alarmEmail).toBe(PROD_ALARM_EMAIL);
});

describe('an environment whose updater is off (interval 0)', () => {
  test('has no updater metric filters and no updater alarms', () => {
    expect(
      Object.values(updaterOff.findResources('AWS::Logs::MetricFilter')).map(
        (f) => f.Properties.MetricTransformations[0].MetricName,
      ),
    ).toEqual(['FreshnessChecksPassed']);
    const names = alarms(updaterOff).map((alarm) => alarm.AlarmName);
    for (const name of UPDATER_ALARMS) expect(names).not.toContain(`clair-dev-${name}`);
  });

  test('keeps every other alarm, the freshness check included', () => {
    const names = alarms(updaterOff)
      .map((alarm) => alarm.AlarmName)
      .sort();
    const others = EXPECTED_ALARMS.map(([name]) => name).filter((name) => !UPDATER_ALARMS.includes(name));
    expect(names).toEqual([...others, 'tasks-below-desired'].map((name) => `clair-dev-${name}`).sort());
  });
});

describe('the freshness metric filter', () => {
  // The filter counts log events that contain READY_LINE; these runs prove the phrase is what
  // scan-image prints when the canary passes, and only then.
  const readyLines = (text: string) => text.split('\n').filter((line) => line.includes(READY_LINE));

  test('counts a readiness-only run of scan-image that passes once', async () => {
    const run = await new Scenario().run({ READINESS_ONLY: 'true', IMAGE_URI: undefined });
    expect(run.status).toBe(0);
    expect(readyLines(`${run.stdout}\n${run.stderr}`)).toHaveLength(1);
  });

  test('counts nothing when the canary shows no vulnerabilities', async () => {
    const run = await new Scenario().answer(CANARY, []).run({ READINESS_ONLY: 'true', IMAGE_URI: undefined });
    expect(run.status).toBe(6);
    expect(readyLines(`${run.stdout}\n${run.stderr}`)).toHaveLength(0);
  });
});

test('rejects a freshness schedule without a fixed interval, before creating anything', () => {
  const stack = new Stack();
  expect(
    () =>
      new ClairFreshnessCheck(stack, 'FreshnessCheck', {
        scanner: codebuild.Project.fromProjectName(stack, 'Scanner', 'clair-scanner'),
        schedule: 'cron(0 6 * * ? *)',
        buildTimeout: Duration.minutes(90),
        logRetentionDays: 30,
        metricNamespace: 'Clair',
      }),
  ).toThrow(/schedule must be an EventBridge rate expression such as 'rate\(1 day\)', got 'cron\(0 6 \* \* \? \*\)'/);
  expect(stack.node.findAll().filter((construct) => construct.node.id === 'Logs')).toHaveLength(0);
});

test('the runbook explains every alarm by name', () => {
  const runbook = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'operations.md'), 'utf8');
  const names = new Set(
    [...Object.values(templates), updaterOff].flatMap((template) =>
      alarms(template).map((alarm) => String(alarm.AlarmName).replace(/^clair-(dev|prod)-/, 'clair-<env>-')),
    ),
  );
  expect(names.size).toBe(EXPECTED_ALARMS.length + 1 + RESCAN_ALARMS.length);
  for (const name of names) {
    expect(runbook).toMatch(new RegExp(`^#+ .*\`${name}\``, 'm'));
  }
});
