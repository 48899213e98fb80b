import { AwsRunner, canLookUp, lookUpPrices, runAwsCli } from './price-list';
import { PRICE_SHEET_FILE, readPriceSheet, updatePriceSheet } from './price-sheet';

/** What a refresh of the sheet did. */
export interface SheetRefresh {
  /** The prices (`region key`) rewritten from AWS's Price List. */
  readonly updated: string[];
  /** The prices the live lookup could have found but the Price List had no product for; left as they were. */
  readonly notFound: string[];
}

/**
 * `npm run cost -- --update-sheet`: looks every price of the sheet that the live lookup knows how
 * to find up in AWS's Price List, and rewrites its line with the price, the publication date and
 * the SKU. The unit prices of use (no live query) keep their lines.
 */
export function refreshPriceSheet(file: string = PRICE_SHEET_FILE, run: AwsRunner = runAwsCli): SheetRefresh {
  const needs = Object.entries(readPriceSheet(file)).flatMap(([region, prices]) =>
    Object.keys(prices)
      .filter(canLookUp)
      .map((key) => ({ region, key })),
  );
  const updated = updatePriceSheet(file, lookUpPrices(needs, run));
  const notFound = needs.map(({ region, key }) => `${region} ${key}`).filter((name) => !updated.includes(name));
  return { updated, notFound };
}
