import { RescanAws } from './aws';

/** SNS takes at most 256 KB a message; a longer one is cut, saying so. */
const MAX_MESSAGE_BYTES = 250 * 1024;

/** Notifies the environment's topic. */
export async function notify(aws: RescanAws, topicArn: string, subject: string, message: string): Promise<void> {
  let text = message;
  if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) {
    text = `${Buffer.from(text).subarray(0, MAX_MESSAGE_BYTES).toString('utf8')}\n[cut: the rest is in the rescan's build log]`;
  }
  await aws.publish(topicArn, subject, text);
}

/** The rescan's metrics (docs/rescans.md): alarms watch them. */
export interface RescanMetrics {
  /** Running images that the gate would refuse now. */
  readonly RunningImagesFailingPolicy?: number;
  /** Images that could not be rescanned (not pullable, not allowed, no digest). */
  readonly ImagesNotScanned?: number;
  /** 1 when the rescan could not run (Clair not ready, AWS or Security Hub failing), else 0. */
  readonly RescanFailed: number;
}

/** Puts the metrics, with the environment as their dimension. */
export async function putMetrics(
  aws: RescanAws,
  namespace: string,
  environment: string,
  metrics: RescanMetrics,
): Promise<void> {
  const data = Object.entries(metrics)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ({
      MetricName: name,
      Dimensions: [{ Name: 'Environment', Value: environment }],
      Value: value,
      Unit: 'Count' as const,
    }));
  await aws.putMetricData(namespace, data);
}
