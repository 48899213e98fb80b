import { Estimate } from './estimate';
import { HOURS_PER_MONTH } from './items';
import { Price } from './price-sheet';

/** Dollars as the report shows them. */
export function usd(amount: number): string {
  return `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A unit price as the report shows it: at least cents, and every digit of a fraction of a cent. */
function unitPrice(price: Price): string {
  const [whole, fraction = ''] = String(Number(price.usd.toPrecision(6))).split('.');
  return `$${whole}.${fraction.padEnd(2, '0')} ${price.unit}`;
}

/**
 * The estimate as Markdown: the total by account and region first, then each one's fixed items,
 * what it is billed for by use (with unit prices, not in the total), and the prices used.
 * `heading` is the level of its sections (`##` in the terminal, deeper inside a document).
 */
export function renderEstimate(estimate: Estimate, origin: string, heading = '##'): string {
  const dates = [...new Set(estimate.prices.map(({ price }) => price.date))].sort();
  return [
    `Monthly list price, on-demand, ${HOURS_PER_MONTH} hours a month, before free tiers, discounts and taxes;`,
    `prices from ${origin}, dated ${dates.length > 1 ? `${dates[0]} to ${dates[dates.length - 1]}` : dates[0]}.`,
    '',
    '| account and region | fixed, a month |',
    '| --- | ---: |',
    ...estimate.groups.map((group) => `| ${group.title} | ${usd(group.total)} |`),
    `| **total** | **${usd(estimate.total)}** |`,
    '',
    'The total counts what is billed every month whatever happens; traffic, builds, logs and storage',
    'that grow with use come on top, listed under each account with their unit price.',
    ...estimate.groups.flatMap((group) => [
      '',
      `${heading} ${group.title}`,
      '',
      '| fixed item | quantity | a month |',
      '| --- | --- | ---: |',
      ...group.lines.map((line) => `| ${line.what} | ${line.detail} | ${usd(line.usd)} |`),
      `| **subtotal** | | **${usd(group.total)}** |`,
      '',
      'Billed by use, not in the total:',
      '',
      ...group.usage.map(
        (item) =>
          `- ${item.what}: ${item.price ? unitPrice(item.price) : `no unit price for ${group.region} in the sheet`} (${item.driver})`,
      ),
    ]),
    '',
    `${heading} Prices used`,
    '',
    '| region | key | price | date | source |',
    '| --- | --- | --- | --- | --- |',
    ...estimate.prices.map(
      ({ key, price }) => `| ${price.region} | \`${key}\` | ${unitPrice(price)} | ${price.date} | ${price.source} |`,
    ),
    '',
  ].join('\n');
}
