import * as fs from 'fs';
import * as path from 'path';
import { parseConfig, PipelineConfig } from '../config/config';
import { PROFILE_NAMES, ProfileName, PROFILES } from '../config/profiles';
import { environmentItems } from './environment-items';
import { estimate } from './estimate';
import { priceConfiguration, SHEET_ORIGIN } from './price-configuration';
import { PriceBook, readPriceSheet } from './price-sheet';
import { renderEstimate, usd } from './report';

/** The generated cost document. */
export const COST_DOCS_FILE = path.join(__dirname, '..', 'docs', 'cost.md');

/** The example configuration the document prices: never the user's cdk.json. */
export const DOCS_CONFIG_FILE = path.join(__dirname, 'docs-config.json');

/** The settings whose defaults a profile chooses, and how to read them from a profile. */
const PROFILE_SETTINGS: [string, (profile: ProfileName) => unknown][] = [
  ['network.natGateways', (p) => PROFILES[p].network.natGateways],
  ['network.vpcEndpoints', (p) => PROFILES[p].network.vpcEndpoints],
  ['database.instanceType', (p) => PROFILES[p].database.instanceType],
  ['database.multiAz', (p) => PROFILES[p].database.multiAz],
  ['database.deletionProtection', (p) => PROFILES[p].database.deletionProtection],
  ['database.snapshotOnRemoval', (p) => PROFILES[p].database.snapshotOnRemoval],
  ['database.backupRetentionDays', (p) => PROFILES[p].database.backupRetentionDays],
  ['clair.cpu', (p) => PROFILES[p].clair.cpu],
  ['clair.memoryMiB', (p) => PROFILES[p].clair.memoryMiB],
  ['clair.minTasks', (p) => PROFILES[p].clair.minTasks],
  ['clair.maxTasks', (p) => PROFILES[p].clair.maxTasks],
  ['clair.logRetentionDays', (p) => PROFILES[p].clair.logRetentionDays],
  ['clair.deletionProtection', (p) => PROFILES[p].clair.deletionProtection],
  ['sampleApp.egress', (p) => PROFILES[p].sampleApp.egress],
];

/** The example configuration of the document. */
export function docsConfig(): PipelineConfig {
  return parseConfig(JSON.parse(fs.readFileSync(DOCS_CONFIG_FILE, 'utf8')));
}

/**
 * docs/cost.md: the profiles' defaults, what the example configuration costs, and what one
 * environment of each profile costs in each region of the sheet, all from the sheet.
 */
export function renderCostDocs(sheet: PriceBook = readPriceSheet()): string {
  const config = docsConfig();
  const { estimate: example, origin } = priceConfiguration(config, { sheet });
  const where = config.environments.map((env) => `\`${env.name}\` (${env.profile}, ${env.region})`).join(', ');
  const lines = Object.values(sheet).flatMap((regional) => Object.values(regional));
  const count = (prefix: string) => lines.filter((price) => price.source.startsWith(prefix)).length;
  return [
    '<!-- Generated from cost/docs-config.json and cost/prices.csv by `npm run cost -- --write-docs`; do not edit. -->',
    '',
    '# What it costs',
    '',
    '`npm run cost` prints what the configuration in `cdk.json` costs a month: every environment at',
    "its own region's prices, the pipeline account, and a total. It reads the configuration, not the",
    'templates, so it needs no synth. Offline (the default) it prices from the dated sheet',
    "`cost/prices.csv`; `npm run cost -- --live` looks the fixed items up in AWS's Price List API",
    '(`aws pricing get-products`, needs AWS credentials). A region or a database instance class the',
    'prices do not cover is an error that names the setting.',
    '',
    'This page is generated from an example configuration (`cost/docs-config.json`), not from your',
    `\`cdk.json\`: ${where}, and the pipeline account in ${config.pipeline.region}.`,
    '',
    '## Where the prices come from',
    '',
    `Of the sheet's ${lines.length} prices (${Object.keys(sheet).length} regions), ${count('AWS Price List API: ')} come from AWS's Price List API`,
    `(they name the SKU and its publication date), ${count('page: ')} quote a public page that states the figure for`,
    `its region, and ${count('recalled')} are the figure the sheet's author recalls from AWS's pricing page, marked`,
    '`recalled (not verified here)`: the sheet was first written on a machine without access to AWS.',
    "`npm run cost -- --live` prices the fixed items from AWS's Price List API instead, and",
    "`npm run cost -- --update-sheet` rewrites the sheet's fixed prices from it (both need AWS",
    'credentials); regenerate this page after the latter.',
    '',
    '## What is counted',
    '',
    'The total counts what is billed every month whatever happens: NAT gateways and their public',
    'addresses, interface endpoints per zone, the load balancer, the database instance and its',
    'storage (twice with Multi-AZ), Fargate tasks at their autoscaling floor, CloudWatch alarms and',
    "log-based metrics, Secrets Manager secrets and KMS keys, and the pipeline account's keys. What",
    'grows with use is listed with its unit price and left out of the total: data processed by NAT',
    'gateways and endpoints, load-balancer capacity units, data transfer, CodeBuild and CodePipeline',
    'minutes, log ingestion and storage, S3 storage and requests, backups beyond the free allowance,',
    'image storage and Container Insights metrics. Free tiers are not subtracted. Two fixed charges',
    'are left out on purpose: each KMS key is counted as one key-month, though its yearly rotation',
    'adds a key-month for each of its first two rotations from the second year on; and each',
    "environment's CloudWatch dashboard is free while its account has at most three.",
    '',
    '## What the profiles choose',
    '',
    `| setting | ${PROFILE_NAMES.join(' | ')} |`,
    `| --- | ${PROFILE_NAMES.map(() => '---').join(' | ')} |`,
    ...PROFILE_SETTINGS.map(
      ([key, read]) => `| \`${key}\` | ${PROFILE_NAMES.map((profile) => `\`${String(read(profile))}\``).join(' | ')} |`,
    ),
    '',
    '## One environment of each profile, by region',
    '',
    'Fixed monthly price of one environment with the defaults of its profile (two zones), with and',
    'without the sample app, from the sheet:',
    '',
    '| region | lean | lean, no sample app | production | production, no sample app |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...Object.keys(sheet)
      .sort()
      .map((region) => {
        const cells = PROFILE_NAMES.flatMap((profile) =>
          [true, false].map((sampleApp) => usd(profileTotal(config, profile, region, sampleApp, sheet))),
        );
        return `| ${region} | ${cells.join(' | ')} |`;
      }),
    '',
    '## The example configuration',
    '',
    renderEstimate(example, origin, '###'),
  ].join('\n');
}

/** The fixed monthly price of one environment of `profile` in `region`, its other settings the defaults. */
function profileTotal(
  config: PipelineConfig,
  profile: ProfileName,
  region: string,
  sampleApp: boolean,
  sheet: PriceBook,
): number {
  const env = config.environments.find((candidate) => candidate.profile === profile)!;
  const group = environmentItems({ ...env, region, availabilityZones: undefined }, { sampleApp });
  return estimate([group], sheet, sheet, SHEET_ORIGIN).total;
}
