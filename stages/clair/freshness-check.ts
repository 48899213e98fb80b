import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { newEncryptedLogGroup } from '../../common/encrypted-log-group';
import { rateExpressionMinutes } from '../../config/durations';

/**
 * What `scan-image` prints (through its `say` prefix) once the canary showed enough
 * vulnerabilities; it prints nothing containing this phrase on any other path, and a
 * readiness-only run exits 0 right after it. A test checks the phrase against the script.
 */
export const READY_LINE = 'scan-image: Clair is ready';

/** The scheduled builds' log group: a fixed name, so the runbook can start a check by hand into it. */
export const FRESHNESS_LOG_GROUP_NAME = '/clair/freshness-check';

/** Stream-name prefix of the scheduled builds in that log group (CodeBuild appends the build id). */
const STREAM_PREFIX = 'freshness-check';

/** Properties of {@link ClairFreshnessCheck}. */
export interface ClairFreshnessCheckProps {
  /** The scanner project; the check runs it in readiness-only mode (a canary scan, nothing else). */
  readonly scanner: codebuild.IProject;
  /** When to run: an EventBridge rate expression (the config has validated it). */
  readonly schedule: string;
  /** The scanner build's timeout: the readiness bound plus a last canary scan (scannerBuildTimeout). */
  readonly buildTimeout: Duration;
  /** Days to keep the scheduled builds' logs. */
  readonly logRetentionDays: number;
  /** CloudWatch namespace of the passed-checks metric. */
  readonly metricNamespace: string;
}

/**
 * The scheduled proof that Clair's vulnerability data is loaded: an EventBridge schedule starts the
 * scanner project with READINESS_ONLY=true, so `scan-image` scans the canary image (known to be
 * vulnerable) and fails unless it shows findings. The scheduled builds log to a log group of their
 * own (a logs override on the same project, not a second project), so a pass counted there is a
 * scheduled pass and gate scans cannot mask a missed or failed check. Alarm on
 * {@link passedChecks} staying below one for {@link maxSilence}: that fails closed, whether the
 * check failed, timed out, was never started, or its logs never arrived.
 */
export class ClairFreshnessCheck extends Construct {
  /** The schedule. */
  public readonly rule: events.Rule;
  /** Where the scheduled builds log. */
  public readonly logGroup: logs.LogGroup;
  /** Scheduled checks that passed (Sum per hour). */
  public readonly passedChecks: cloudwatch.Metric;
  /** The longest a healthy environment goes without a pass: one schedule interval plus one check's timeout. */
  public readonly maxSilence: Duration;

  constructor(scope: Construct, id: string, props: ClairFreshnessCheckProps) {
    super(scope, id);
    const intervalMinutes = rateExpressionMinutes(props.schedule);
    if (intervalMinutes === undefined) {
      throw new Error(
        `ClairFreshnessCheck: schedule must be an EventBridge rate expression such as 'rate(1 day)', got '${props.schedule}'`,
      );
    }
    const timeout = props.buildTimeout;
    this.maxSilence = Duration.minutes(intervalMinutes).plus(timeout);

    this.logGroup = newEncryptedLogGroup(this, 'Logs', {
      description: 'the scheduled freshness check logs',
      retentionDays: props.logRetentionDays,
      logGroupName: FRESHNESS_LOG_GROUP_NAME,
    });
    // The project's role writes the overridden logs, as it does its own.
    this.logGroup.grantWrite(props.scanner);

    this.rule = new events.Rule(this, 'Schedule', {
      description: "Proves Clair's vulnerability data is loaded: a readiness-only run of the scanner (canary scan)",
      schedule: events.Schedule.expression(props.schedule),
      targets: [
        new targets.CodeBuildProject(props.scanner, {
          // The StartBuild request: scan-image needs no IMAGE_URI in readiness-only mode.
          event: events.RuleTargetInput.fromObject({
            environmentVariablesOverride: [{ name: 'READINESS_ONLY', value: 'true', type: 'PLAINTEXT' }],
            timeoutInMinutesOverride: timeout.toMinutes(),
            logsConfigOverride: {
              cloudWatchLogs: { status: 'ENABLED', groupName: this.logGroup.logGroupName, streamName: STREAM_PREFIX },
            },
          }),
        }),
      ],
    });

    this.passedChecks = new logs.MetricFilter(this, 'PassedChecks', {
      logGroup: this.logGroup,
      metricNamespace: props.metricNamespace,
      metricName: 'FreshnessChecksPassed',
      filterPattern: logs.FilterPattern.allTerms(READY_LINE),
      metricValue: '1',
    }).metric({ statistic: cloudwatch.Stats.SUM, period: Duration.hours(1) });
  }
}
