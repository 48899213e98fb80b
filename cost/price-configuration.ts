import { PipelineConfig } from '../config/config';
import { configurationItems } from './configuration-items';
import { Estimate, estimate, PriceOrigin } from './estimate';
import { AwsRunner, lookUpPrices, runAwsCli } from './price-list';
import { PriceBook, readPriceSheet } from './price-sheet';

/** Options of {@link priceConfiguration}. */
export interface PriceConfigurationOptions {
  /** Look the fixed items' prices up in AWS's Price List instead of the sheet. @default false */
  readonly live?: boolean;
  /** How the live lookup runs the AWS CLI. @default the `aws` on PATH */
  readonly run?: AwsRunner;
  /** The price sheet. @default cost/prices.csv */
  readonly sheet?: PriceBook;
}

/** An estimate and where its prices came from, in words. */
export interface PricedConfiguration {
  /** The estimate. */
  readonly estimate: Estimate;
  /** Where the prices came from, for the report's first lines. */
  readonly origin: string;
}

/** The committed sheet, as errors name it. */
export const SHEET_ORIGIN: PriceOrigin = {
  name: 'the price sheet cost/prices.csv',
  fix: "add the missing lines to cost/prices.csv with their source (its header says how), or run `npm run cost -- --live` to look the prices up in AWS's Price List (needs AWS credentials)",
  complete: true,
};

/** AWS's Price List, as errors name it. */
const LIVE_ORIGIN: PriceOrigin = {
  name: "AWS's Price List",
  fix: 'the live lookup found no on-demand product for it: check the value, or run without --live to price from the sheet',
  complete: false,
};

/**
 * What `config` costs a month: its items priced from the dated sheet, or with `live`, the fixed
 * items from AWS's Price List API (usage-dependent items keep the sheet's unit prices).
 */
export function priceConfiguration(
  config: PipelineConfig,
  options: PriceConfigurationOptions = {},
): PricedConfiguration {
  const groups = configurationItems(config);
  const sheet = options.sheet ?? readPriceSheet();
  if (!options.live) {
    return {
      estimate: estimate(groups, sheet, sheet, SHEET_ORIGIN),
      origin: 'the price sheet `cost/prices.csv` (each line names its source)',
    };
  }
  const needs = groups.flatMap((group) =>
    group.fixed.flatMap((item) => item.charges.map((charge) => ({ region: group.region, key: charge.price }))),
  );
  return {
    estimate: estimate(groups, lookUpPrices(needs, options.run ?? runAwsCli), sheet, LIVE_ORIGIN),
    origin: "AWS's Price List API for the fixed items and the price sheet `cost/prices.csv` for the unit prices of use",
  };
}
