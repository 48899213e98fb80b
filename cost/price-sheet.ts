import * as fs from 'fs';
import * as path from 'path';
import { PriceKey } from './items';

/** One list price. */
export interface Price {
  /** US dollars per unit. */
  readonly usd: number;
  /** What one unit is, e.g. `per NAT gateway-hour`. */
  readonly unit: string;
  /** The region it is the price of. */
  readonly region: string;
  /** When it was read or published (YYYY-MM-DD). */
  readonly date: string;
  /** Where it came from: a page, or the Price List SKU. */
  readonly source: string;
}

/** Prices by region, then by key. */
export type PriceBook = Record<string, Record<PriceKey, Price>>;

/** The committed, dated price sheet. */
export const PRICE_SHEET_FILE = path.join(__dirname, 'prices.csv');

/** The sheet's columns, in order. */
const COLUMNS = ['key', 'region', 'usd', 'unit', 'date', 'source'] as const;

/**
 * Reads the price sheet: one price a line (`key,region,usd,unit,date,source`), `#` lines are
 * comments. The source is the last column and may contain commas. Throws naming the line of any
 * malformed or repeated entry.
 */
export function readPriceSheet(file: string = PRICE_SHEET_FILE): PriceBook {
  const book: PriceBook = {};
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const where = (index: number) => `${path.basename(file)} line ${index + 1}`;
  const header = lines.findIndex((line) => line && !line.startsWith('#'));
  if (lines[header] !== COLUMNS.join(',')) {
    throw new Error(`${where(header)} must be the header '${COLUMNS.join(',')}', got '${lines[header]}'`);
  }
  lines.forEach((line, index) => {
    if (index <= header || !line || line.startsWith('#')) return;
    const cells = line.split(',');
    const [key, region, usd, unit, date] = cells;
    const source = cells.slice(COLUMNS.length - 1).join(',');
    if (cells.length < COLUMNS.length || !(Number(usd) >= 0) || !/^\d{4}-\d{2}-\d{2}$/.test(date) || !source) {
      throw new Error(
        `${where(index)} must be ${COLUMNS.join(',')} with a number, a YYYY-MM-DD date and a source, got '${line}'`,
      );
    }
    book[region] ??= {};
    if (book[region][key]) throw new Error(`${where(index)} repeats the price '${key}' of ${region}`);
    book[region][key] = { usd: Number(usd), unit, region, date, source };
  });
  return book;
}

/**
 * Rewrites the lines of `file` whose price `updates` holds (same key and region) with the new
 * price, date and source; leaves every other line, comments included, as it was. Returns the
 * keys (`region key`) it rewrote.
 */
export function updatePriceSheet(file: string, updates: PriceBook): string[] {
  const updated: string[] = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const header = lines.indexOf(COLUMNS.join(','));
  const rewritten = lines.map((line, index) => {
    if (index <= header || !line || line.startsWith('#')) return line;
    const [key, region] = line.split(',');
    const price = updates[region]?.[key];
    if (!price) return line;
    updated.push(`${region} ${key}`);
    return [key, region, price.usd, price.unit, price.date, price.source].join(',');
  });
  fs.writeFileSync(file, rewritten.join('\n'));
  return updated;
}
