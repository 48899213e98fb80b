/**
 * `npm run cost`: synthesizes the default app (cdk.json), prices one environment of each profile
 * from its templates with cost/prices.csv, and writes the profiles and cost tables into docs/cost.md
 * between the markers. A test renders the same from the test run's assembly and fails on any
 * difference, so the page cannot drift from the templates or the prices.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { parseConfig } from '../config/config';
import { APP_PROPS, buildApp } from '../pipeline/build-app';
import { defaultStacks } from '../test/helpers/default-assembly';
import { defaultContext, defaultRawConfig } from '../test/helpers/default-config';
import { readPrices } from './estimate';
import { renderProfilesAndCost, replaceSection, stacksByProfile } from './table';

const COST_PAGE = path.join(__dirname, '..', 'docs', 'cost.md');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clair-pipeline-cost-'));
try {
  const app = new App({ ...APP_PROPS, outdir: dir, context: defaultContext() });
  buildApp(app);
  app.synth();
  const stacks = defaultStacks(dir).map(({ displayPath, templateFile }) => ({
    displayPath,
    template: JSON.parse(fs.readFileSync(templateFile, 'utf8')),
  }));
  const section = renderProfilesAndCost(
    stacksByProfile(stacks, parseConfig(defaultRawConfig()).environments),
    readPrices(),
  );
  fs.writeFileSync(COST_PAGE, replaceSection(fs.readFileSync(COST_PAGE, 'utf8'), section));
  console.log(`cost: wrote the profiles and cost tables into ${path.relative(process.cwd(), COST_PAGE)}`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
