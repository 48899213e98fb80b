import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { NotificationTopic } from '../../common/notification-topic';
import { EnvironmentConfig } from '../../config/config';
import { goDurationSeconds } from '../../config/durations';
import { scannerBuildTimeout } from './scanner';
import { ClairFreshnessCheck } from './freshness-check';

/** CloudWatch namespace of the metrics made from Clair's and the freshness check's logs. */
export const CLAIR_METRICS_NAMESPACE = 'Clair';

/**
 * Clair v2's updater messages, which its JSON log formatter (`JSONExtendedFormatter`) writes into
 * `Event`. Checked against a published log of a Clair v2.1 build (module github.com/quay/clair/v2,
 * `"Event":"an error occured when fetching update"` from updater.go) and against Clair's
 * formatter and updater source; the v2.1.8 updater.go itself was not at hand. Note Clair's own
 * spelling "occured". `update finished` is logged after every update, also when a fetcher failed.
 */
export const UPDATER_EVENTS = {
  finished: 'update finished',
  fetchError: 'an error occured when fetching update',
} as const;

/** Properties of {@link ClairMonitoring}. */
export interface ClairMonitoringProps {
  /** The environment: its name prefixes the alarm names, its settings size the thresholds. */
  readonly environment: EnvironmentConfig;
  /** Clair's Fargate service. */
  readonly service: ecs.IBaseService;
  /** Clair's internal load balancer. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The target group of Clair's tasks. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** Clair's log group (JSON lines). */
  readonly clairLogGroup: logs.ILogGroup;
  /** Clair's database. */
  readonly database: rds.IDatabaseInstance;
  /** The scanner project; the freshness check runs it too. */
  readonly scanner: codebuild.IProject;
}

/** One alarm: it fires when every one of its evaluation periods breaches. */
interface AlarmSpec {
  /** Name after `clair-<env>-`; docs/operations.md explains each by its full name. */
  readonly name: string;
  /** What the alarm means, shown in the notification. */
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparison: cloudwatch.ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly treatMissingData: cloudwatch.TreatMissingData;
}

const FIVE_MINUTES = Duration.minutes(5);
const {
  GREATER_THAN_OR_EQUAL_TO_THRESHOLD: AT_LEAST,
  LESS_THAN_THRESHOLD: BELOW,
  GREATER_THAN_THRESHOLD: ABOVE,
} = cloudwatch.ComparisonOperator;
const { BREACHING, NOT_BREACHING } = cloudwatch.TreatMissingData;

/**
 * Makes one Clair environment's health visible and its failures loud: alarms on the load balancer,
 * the tasks, the database, the scanner, Clair's updater (from its logs) and the scheduled
 * freshness check, all notifying one e-mail topic (alarm and recovery), and a dashboard of the
 * same metrics. Alarms that watch for something that should keep happening (tasks running, updates
 * finishing, checks passing) treat missing data as breaching, so silence is never mistaken for health.
 */
export class ClairMonitoring extends Construct {
  /** Where alarms and recoveries are published. */
  public readonly topic: sns.ITopic;
  /** The scheduled freshness check. */
  public readonly freshnessCheck: ClairFreshnessCheck;
  /** Every alarm, each with the topic as its alarm and OK action. */
  public readonly alarms: cloudwatch.Alarm[];
  /** The environment's dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ClairMonitoringProps) {
    super(scope, id);
    const { environment } = props;
    const prefix = `clair-${environment.name}`;
    const alarmTopic = new NotificationTopic(this, 'AlarmTopic', {
      displayName: `${prefix} alarms`,
      email: environment.monitoring.alarmEmail,
    });
    this.topic = alarmTopic.topic;
    this.freshnessCheck = new ClairFreshnessCheck(this, 'FreshnessCheck', {
      scanner: props.scanner,
      schedule: environment.monitoring.freshnessSchedule,
      buildTimeout: scannerBuildTimeout(environment.scan),
      logRetentionDays: environment.clair.logRetentionDays,
      metricNamespace: CLAIR_METRICS_NAMESPACE,
    });

    const metrics = serviceMetrics(props);
    const updater = this.updaterMetrics(props);
    const specs = [...this.serviceAlarms(props, metrics), ...(updater ? updaterAlarms(updater) : [])];
    const action = alarmTopic.alarmAction();
    this.alarms = specs.map((spec) => {
      const alarm = new cloudwatch.Alarm(this, `${pascalCase(spec.name)}Alarm`, {
        alarmName: `${prefix}-${spec.name}`,
        alarmDescription: `${spec.description} See docs/operations.md, ${prefix}-${spec.name}.`,
        metric: spec.metric,
        threshold: spec.threshold,
        comparisonOperator: spec.comparison,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.evaluationPeriods,
        treatMissingData: spec.treatMissingData,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      return alarm;
    });
    this.dashboard = this.buildDashboard(prefix, metrics, updater);
  }

  private serviceAlarms(props: ClairMonitoringProps, m: ServiceMetrics): AlarmSpec[] {
    const { database, monitoring } = props.environment;
    const silence = this.freshnessCheck.maxSilence;
    // Storage autoscaling grows the volume at 10% free; half of that, of the initial size, means it is not keeping up.
    const lowStorageBytes = Math.round(database.allocatedStorageGiB * 0.05 * 1024 ** 3);
    return [
      {
        name: 'alb-unhealthy-targets',
        description:
          'Clair tasks fail the load balancer health check (GET :6061/health, a database ping) for 15 minutes.',
        metric: m.unhealthyTargets,
        threshold: 1,
        comparison: AT_LEAST,
        evaluationPeriods: 3,
        treatMissingData: NOT_BREACHING,
      },
      {
        name: 'alb-5xx',
        description:
          'The load balancer itself answered 5 or more 5xx (no healthy task, or a layer analysis over the idle timeout) in 5 minutes.',
        metric: m.loadBalancer5xx,
        threshold: 5,
        comparison: AT_LEAST,
        evaluationPeriods: 1,
        treatMissingData: NOT_BREACHING,
      },
      {
        name: 'target-5xx',
        description: 'Clair answered 5 or more 5xx in 5 minutes.',
        metric: m.target5xx,
        threshold: 5,
        comparison: AT_LEAST,
        evaluationPeriods: 1,
        treatMissingData: NOT_BREACHING,
      },
      {
        name: 'tasks-below-desired',
        description: 'Fewer Clair tasks run than the service wants, for 15 minutes.',
        metric: m.missingTasks,
        threshold: 1,
        comparison: AT_LEAST,
        evaluationPeriods: 3,
        treatMissingData: BREACHING,
      },
      {
        name: 'task-cpu-high',
        description:
          'Clair tasks average 85% CPU or more for 15 minutes (autoscaling is at its ceiling or cannot keep up).',
        metric: m.taskCpu,
        threshold: 85,
        comparison: AT_LEAST,
        evaluationPeriods: 3,
        treatMissingData: NOT_BREACHING,
      },
      {
        name: 'task-memory-high',
        description: 'Clair tasks average 85% memory or more for 15 minutes.',
        metric: m.taskMemory,
        threshold: 85,
        comparison: AT_LEAST,
        evaluationPeriods: 3,
        treatMissingData: NOT_BREACHING,
      },
      {
        name: 'db-cpu-high',
        description: "Clair's database averages 80% CPU or more for 15 minutes.",
        metric: m.databaseCpu,
        threshold: 80,
        comparison: AT_LEAST,
        evaluationPeriods: 3,
        treatMissingData: NOT_BREACHING,
      },
      {
        name: 'db-free-storage-low',
        description: `Clair's database has less than ${formatGiB(lowStorageBytes)} free for 10 minutes.`,
        metric: m.databaseFreeStorage,
        threshold: lowStorageBytes,
        comparison: BELOW,
        evaluationPeriods: 2,
        treatMissingData: NOT_BREACHING,
      },
      {
        name: 'db-connections-high',
        description: `Clair's database holds more than ${monitoring.maxDatabaseConnections} connections for 15 minutes.`,
        metric: m.databaseConnections,
        threshold: monitoring.maxDatabaseConnections,
        comparison: ABOVE,
        evaluationPeriods: 3,
        treatMissingData: NOT_BREACHING,
      },
      {
        name: 'scanner-build-failures',
        description:
          'A scanner build failed: a gate that refused an image, or a scan or freshness check that could not run.',
        metric: m.failedScans,
        threshold: 1,
        comparison: AT_LEAST,
        evaluationPeriods: 1,
        treatMissingData: NOT_BREACHING,
      },
      {
        name: 'freshness-check',
        description: `No scheduled freshness check proved Clair's data loaded in the last ${silence.toHours({ integral: false }).toFixed(1)} hours.`,
        metric: this.freshnessCheck.passedChecks,
        threshold: 1,
        comparison: BELOW,
        evaluationPeriods: Math.ceil(silence.toMinutes() / 60),
        treatMissingData: BREACHING,
      },
    ];
  }

  /** Metrics from Clair's updater log events; undefined when the updater is off (interval 0). */
  private updaterMetrics(props: ClairMonitoringProps): UpdaterMetrics | undefined {
    const interval = props.environment.clair.updaterInterval;
    const seconds = goDurationSeconds(interval);
    if (seconds === 0) return undefined;
    // Alarm periods are whole minutes.
    const period = Duration.minutes(Math.ceil(seconds / 60));
    const count = (id: string, metricName: string, event: string) =>
      new logs.MetricFilter(this, id, {
        logGroup: props.clairLogGroup,
        metricNamespace: CLAIR_METRICS_NAMESPACE,
        metricName,
        filterPattern: logs.FilterPattern.stringValue('$.Event', '=', event),
        metricValue: '1',
      }).metric({ statistic: cloudwatch.Stats.SUM, period });
    return {
      interval,
      finished: count('UpdatesFinished', 'UpdatesFinished', UPDATER_EVENTS.finished),
      errors: count('UpdaterErrors', 'UpdaterErrors', UPDATER_EVENTS.fetchError),
    };
  }

  private buildDashboard(name: string, m: ServiceMetrics, updater?: UpdaterMetrics): cloudwatch.Dashboard {
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: 8, height: 6 });
    const freshness = this.freshnessCheck;
    return new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: name,
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 })],
        [
          graph('Load balancer: requests and 5xx', [m.requests], [m.loadBalancer5xx, m.target5xx]),
          graph('Targets: healthy and unhealthy', [m.healthyTargets, m.unhealthyTargets]),
          graph('Response time (p99)', [m.responseTime]),
        ],
        [
          graph('Tasks: running and desired', [m.runningTasks, m.desiredTasks]),
          graph('Tasks: CPU and memory (%)', [m.taskCpu, m.taskMemory]),
          graph('Database: CPU (%) and connections', [m.databaseCpu], [m.databaseConnections]),
        ],
        [
          graph('Database: free storage', [m.databaseFreeStorage]),
          ...(updater ? [graph('Updater: updates finished and fetch errors', [updater.finished, updater.errors])] : []),
          graph('Scans: builds and scheduled checks', [m.succeededScans, m.failedScans], [freshness.passedChecks]),
        ],
        [
          new cloudwatch.LogQueryWidget({
            title: 'Recent freshness checks',
            logGroupNames: [freshness.logGroup.logGroupName],
            queryLines: [
              'fields @timestamp, @message',
              'filter @message like /scan-image:/',
              'sort @timestamp desc',
              'limit 20',
            ],
            width: 24,
            height: 6,
          }),
        ],
      ],
    });
  }
}

/** The metrics of the service, its load balancer, its database and the scanner. */
interface ServiceMetrics {
  readonly requests: cloudwatch.IMetric;
  readonly healthyTargets: cloudwatch.IMetric;
  readonly unhealthyTargets: cloudwatch.IMetric;
  readonly loadBalancer5xx: cloudwatch.IMetric;
  readonly target5xx: cloudwatch.IMetric;
  readonly responseTime: cloudwatch.IMetric;
  readonly runningTasks: cloudwatch.IMetric;
  readonly desiredTasks: cloudwatch.IMetric;
  readonly missingTasks: cloudwatch.IMetric;
  readonly taskCpu: cloudwatch.IMetric;
  readonly taskMemory: cloudwatch.IMetric;
  readonly databaseCpu: cloudwatch.IMetric;
  readonly databaseFreeStorage: cloudwatch.IMetric;
  readonly databaseConnections: cloudwatch.IMetric;
  readonly succeededScans: cloudwatch.IMetric;
  readonly failedScans: cloudwatch.IMetric;
}

/** Counts of Clair's updater log events, per updater interval. */
interface UpdaterMetrics {
  /** The updater interval (Go duration), for descriptions. */
  readonly interval: string;
  readonly finished: cloudwatch.Metric;
  readonly errors: cloudwatch.Metric;
}

function serviceMetrics(props: ClairMonitoringProps): ServiceMetrics {
  const { SUM, MAXIMUM, MINIMUM, AVERAGE } = cloudwatch.Stats;
  const every5Minutes = (statistic: string) => ({ statistic, period: FIVE_MINUTES });
  const targets = props.targetGroup.metrics;
  const { service, database, scanner } = props;
  const serviceMetric = (namespace: string, metricName: string, statistic: string) =>
    new cloudwatch.Metric({
      namespace,
      metricName,
      dimensionsMap: { ClusterName: service.cluster.clusterName, ServiceName: service.serviceName },
      ...every5Minutes(statistic),
    });
  // Container Insights (enabled on the cluster) reports the task counts; the worst minute of each
  // window counts, so a shortfall must last through three windows to alarm.
  const runningTasks = serviceMetric('ECS/ContainerInsights', 'RunningTaskCount', MINIMUM);
  const desiredTasks = serviceMetric('ECS/ContainerInsights', 'DesiredTaskCount', MAXIMUM);
  return {
    requests: targets.requestCount(every5Minutes(SUM)),
    healthyTargets: targets.healthyHostCount(every5Minutes(MINIMUM)),
    unhealthyTargets: targets.unhealthyHostCount(every5Minutes(MAXIMUM)),
    loadBalancer5xx: props.loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, every5Minutes(SUM)),
    target5xx: targets.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, every5Minutes(SUM)),
    responseTime: targets.targetResponseTime(every5Minutes(cloudwatch.Stats.p(99))),
    runningTasks,
    desiredTasks,
    missingTasks: new cloudwatch.MathExpression({
      expression: 'desired - running',
      usingMetrics: { desired: desiredTasks, running: runningTasks },
      label: 'Desired minus running tasks',
      period: FIVE_MINUTES,
    }),
    taskCpu: serviceMetric('AWS/ECS', 'CPUUtilization', AVERAGE),
    taskMemory: serviceMetric('AWS/ECS', 'MemoryUtilization', AVERAGE),
    databaseCpu: database.metricCPUUtilization(every5Minutes(AVERAGE)),
    databaseFreeStorage: database.metricFreeStorageSpace(every5Minutes(MINIMUM)),
    databaseConnections: database.metricDatabaseConnections(every5Minutes(MAXIMUM)),
    succeededScans: scanner.metricSucceededBuilds(every5Minutes(SUM)),
    failedScans: scanner.metricFailedBuilds(every5Minutes(SUM)),
  };
}

function updaterAlarms(updater: UpdaterMetrics): AlarmSpec[] {
  return [
    {
      name: 'updates-stalled',
      description: `Clair logged no '${UPDATER_EVENTS.finished}' in two updater intervals (${updater.interval} each).`,
      metric: updater.finished,
      threshold: 1,
      comparison: BELOW,
      evaluationPeriods: 2,
      treatMissingData: BREACHING,
    },
    {
      name: 'updater-errors',
      description: `Clair's updater failed to fetch a source in each of the last two intervals (${updater.interval} each): that source's data is going stale.`,
      metric: updater.errors,
      threshold: 1,
      comparison: AT_LEAST,
      evaluationPeriods: 2,
      treatMissingData: NOT_BREACHING,
    },
  ];
}

function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_match, _dash, letter: string) => letter.toUpperCase());
}

function formatGiB(bytes: number): string {
  return `${Number((bytes / 1024 ** 3).toFixed(2))} GiB`;
}
