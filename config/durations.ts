/** Conversions of the duration formats the configuration uses (Go durations, EventBridge rates). */

/** Seconds in a Go duration of the form RULES.goDuration accepts ('2h', '1h30m', '0'). */
export function goDurationSeconds(duration: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1 };
  return [...duration.matchAll(/(\d+)([hms])/g)].reduce((sum, [, count, unit]) => sum + Number(count) * units[unit], 0);
}

/** Minutes per unit of an EventBridge rate expression. */
const RATE_UNIT_MINUTES: Record<string, number> = { minute: 1, hour: 60, day: 1440 };

/**
 * The interval of an EventBridge rate expression in minutes, or undefined when `expression` is not
 * a well-formed rate: EventBridge wants the singular unit for 1 ('rate(1 day)') and the plural
 * otherwise ('rate(2 days)').
 */
export function rateExpressionMinutes(expression: string): number | undefined {
  const match = /^rate\((\d+) (minute|hour|day)(s?)\)$/.exec(expression);
  if (!match) return undefined;
  const [, count, unit, plural] = match;
  if (Number(count) === 0 || (Number(count) === 1) !== (plural === '')) return undefined;
  return Number(count) * RATE_UNIT_MINUTES[unit];
}
