/**
 * `npm run cost [-- options]`: what the configuration in cdk.json costs a month, each environment at
 * its own region's prices, plus the pipeline account, with a total. Reads the configuration through
 * config/config.ts (no synth). Options:
 *   --live            look the fixed items' prices up in AWS's Price List API (AWS CLI, credentials)
 *   --cdk-json FILE   read this file instead of ./cdk.json
 *   --write-docs      write docs/cost.md from the example configuration cost/docs-config.json
 *   --update-sheet    rewrite the sheet's fixed prices from AWS's Price List API (credentials)
 * Bad input (configuration, a region or instance class without a price, a failing lookup) is a
 * message naming the setting and the fix, exit 1; bad options exit 2.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CONTEXT_KEY, parseConfig, PipelineConfig } from '../config/config';
import { ConfigError } from '../config/config-reader';
import { COST_DOCS_FILE, renderCostDocs } from './docs';
import { CostError } from './estimate';
import { priceConfiguration } from './price-configuration';
import { AwsRunner, PriceListError, runAwsCli } from './price-list';
import { refreshPriceSheet } from './refresh-sheet';
import { renderEstimate } from './report';

const USAGE =
  'usage: npm run cost [-- --live] [-- --cdk-json FILE] | npm run cost -- --write-docs | npm run cost -- --update-sheet';

/** Reads the `clairPipeline` context of a cdk.json file. */
function readConfig(file: string): PipelineConfig {
  let cdkJson: { context?: Record<string, unknown> };
  try {
    cdkJson = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
  }
  return parseConfig(cdkJson.context?.[CONTEXT_KEY]);
}

/** Bad input whose message is the whole story. */
class UserError extends Error {}

/** Runs the command; returns the exit code. `aws` runs the AWS CLI (tests give a stub's). */
export function main(args: string[], aws: AwsRunner = runAwsCli): number {
  const options = { live: false, writeDocs: false, updateSheet: false, cdkJson: 'cdk.json' };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--live') options.live = true;
    else if (args[i] === '--write-docs') options.writeDocs = true;
    else if (args[i] === '--update-sheet') options.updateSheet = true;
    else if (args[i] === '--cdk-json' && args[i + 1]) options.cdkJson = args[++i];
    else {
      console.error(`cost: unknown option '${args[i]}'\n${USAGE}`);
      return 2;
    }
  }
  try {
    if (options.writeDocs) {
      if (options.live) throw new UserError('--write-docs always prices from the sheet; drop --live');
      fs.writeFileSync(COST_DOCS_FILE, renderCostDocs());
      console.log(`cost: wrote ${path.relative(process.cwd(), COST_DOCS_FILE)}`);
      return 0;
    }
    if (options.updateSheet) {
      const { updated, notFound } = refreshPriceSheet(undefined, aws);
      console.log(
        `cost: rewrote ${updated.length} prices of cost/prices.csv from AWS's Price List; run \`npm run cost -- --write-docs\` next`,
      );
      if (notFound.length > 0) console.log(`cost: not in the Price List, left as they were: ${notFound.join(', ')}`);
      return 0;
    }
    const config = readConfig(options.cdkJson);
    const { estimate, origin } = priceConfiguration(config, { live: options.live, run: aws });
    console.log(`# What the configuration in ${options.cdkJson} costs\n\n${renderEstimate(estimate, origin)}`);
    return 0;
  } catch (error) {
    if (
      error instanceof ConfigError ||
      error instanceof CostError ||
      error instanceof PriceListError ||
      error instanceof UserError
    ) {
      console.error(`cost: ${error.message}`);
    } else {
      // A bug, not bad input: still no stack trace in the user's face, but say so.
      console.error(
        `cost: unexpected error (please report it): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
