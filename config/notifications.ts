import { CONTEXT_KEY } from './command-line';
import { PipelineConfig } from './config';

/**
 * Who will not be told: one line per kind of notification whose topic no configured address
 * receives (approval requests and pipeline failures; each environment's alarms), naming the
 * setting that would fix it. Empty when every topic has an address, or when the configuration
 * opts out on purpose (`notificationOptOut`).
 */
export function unnotified(config: PipelineConfig): string[] {
  if (config.notificationOptOut) return [];
  const lines: string[] = [];
  if (!config.notificationEmail) {
    lines.push(`approval requests and pipeline failures (set ${CONTEXT_KEY}.notificationEmail)`);
  }
  const silent = config.environments.filter((env) => !env.monitoring.alarmEmail).map((env) => env.name);
  if (silent.length > 0) {
    lines.push(
      `the alarms of ${silent.join(', ')} (set ${CONTEXT_KEY}.notificationEmail, or ${CONTEXT_KEY}.environments.<name>.monitoring.alarmEmail)`,
    );
  }
  return lines;
}
