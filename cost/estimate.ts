import { show } from '../config/config-reader';
import { ItemGroup, rdsInstanceClass } from './items';
import { Price, PriceBook } from './price-sheet';

/** A fixed item with its monthly price. */
export interface PricedLine {
  /** What it is. */
  readonly what: string;
  /** The quantities behind it. */
  readonly detail: string;
  /** US dollars a month. */
  readonly usd: number;
}

/** A usage-dependent item with its unit price. */
export interface PricedUsage {
  /** What it is. */
  readonly what: string;
  /** What drives it in this configuration. */
  readonly driver: string;
  /** Its unit price; absent when the live lookup priced a region the sheet lacks. */
  readonly price?: Price;
}

/** One account and region, priced. */
export interface PricedGroup {
  /** Its heading. */
  readonly title: string;
  /** The region whose prices apply. */
  readonly region: string;
  /** The fixed items with their monthly price. */
  readonly lines: PricedLine[];
  /** Their sum, US dollars a month. */
  readonly total: number;
  /** The usage-dependent items with their unit price. */
  readonly usage: PricedUsage[];
}

/** What the configuration costs a month. */
export interface Estimate {
  /** Each account and region. */
  readonly groups: PricedGroup[];
  /** The sum of every fixed item, US dollars a month. */
  readonly total: number;
  /** Every price the fixed items used, with its key, by region and key. */
  readonly prices: { key: string; price: Price }[];
}

/** Where fixed prices come from, as errors name it and say how to fix a gap. */
export interface PriceOrigin {
  /** e.g. `the price sheet cost/prices.csv`. */
  readonly name: string;
  /** e.g. `add its lines to cost/prices.csv with their source, or run \`npm run cost -- --live\``. */
  readonly fix: string;
  /** Whether the book holds every region it knows (a sheet), so an error may list them. */
  readonly complete: boolean;
}

/** Thrown when a configured value has no price; its message lists every such value, one per line. */
export class CostError extends Error {
  /** @param problems one message per setting whose value has no price */
  constructor(public readonly problems: string[]) {
    super(`Cannot price this configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'CostError';
  }
}

/**
 * Prices `groups`: fixed items from `fixed` (every one must be there), usage-dependent items from
 * `usage` (the sheet; absent prices are shown as unknown). Throws a CostError naming each setting
 * whose value (a region, an instance class) `fixed` does not price, with the fix.
 */
export function estimate(groups: ItemGroup[], fixed: PriceBook, usage: PriceBook, origin: PriceOrigin): Estimate {
  const problems: string[] = [];
  const used = new Map<string, { key: string; price: Price }>();
  const priced = groups.map((group): PricedGroup => {
    const regional = fixed[group.region];
    if (!regional) {
      problems.push(
        `${group.regionSetting} is ${show(group.region)}, a region ${origin.name} does not price${origin.complete ? ` (it has ${Object.keys(fixed).sort().join(', ')})` : ''}; ${origin.fix}`,
      );
    }
    const lines = group.fixed.map((item): PricedLine => {
      const usd = item.charges.reduce((sum, charge) => {
        const price = regional?.[charge.price];
        if (regional && !price) problems.push(missingPrice(group, charge.price, regional, origin, item.setting));
        if (price) used.set(`${group.region} ${charge.price}`, { key: charge.price, price });
        return sum + charge.quantity * (price?.usd ?? 0);
      }, 0);
      return { what: item.what, detail: item.detail, usd };
    });
    return {
      title: group.title,
      region: group.region,
      lines,
      total: lines.reduce((sum, line) => sum + line.usd, 0),
      usage: group.usage.map((item) => ({
        what: item.what,
        driver: item.driver,
        price: usage[group.region]?.[item.price],
      })),
    };
  });
  if (problems.length > 0) throw new CostError([...new Set(problems)]);
  const prices = [...used.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, entry]) => entry);
  return { groups: priced, total: priced.reduce((sum, group) => sum + group.total, 0), prices };
}

function missingPrice(
  group: ItemGroup,
  key: string,
  regional: Record<string, Price>,
  origin: PriceOrigin,
  setting?: string,
): string {
  if (!setting) return `${origin.name} has no price '${key}' for ${group.region}; ${origin.fix}`;
  // The only setting that chooses a price key is the database's instance class.
  const instanceClass = rdsInstanceClass(key) ?? key;
  const priced = Object.keys(regional)
    .map((candidate) => rdsInstanceClass(candidate)?.replace(/^db\./, ''))
    .filter(Boolean)
    .sort();
  return `${group.settingPrefix}.${setting} is ${show(instanceClass.replace(/^db\./, ''))}: ${origin.name} has no price of the RDS for PostgreSQL class ${instanceClass} in ${group.region}${origin.complete ? ` (it prices ${priced.join(', ')})` : ''}; ${origin.fix}`;
}
