import * as fs from 'fs';
import * as path from 'path';
import { parseConfig } from '../../config/config';
import { COST_LINES, estimate, readPrices } from '../../cost/estimate';
import { README_MARKERS, renderProfilesAndCost, replaceSection, stacksByProfile } from '../../cost/table';
import { defaultStacks } from '../helpers/default-assembly';
import { defaultRawConfig } from '../helpers/default-config';
import { REPO_ROOT } from '../helpers/run-script';

const prices = readPrices();
const stacks = defaultStacks().map(({ displayPath, templateFile }) => ({
  displayPath,
  template: JSON.parse(fs.readFileSync(templateFile, 'utf8')),
}));
const byProfile = stacksByProfile(stacks, parseConfig(defaultRawConfig()).environments);
const total = (profile: 'lean' | 'production') => {
  const costs = estimate(byProfile[profile].stacks, prices);
  return COST_LINES.reduce((sum, line) => sum + costs[line].usd, 0);
};

test("docs/cost.md's profile and cost tables are the ones the templates and prices give (npm run cost)", () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'cost.md'), 'utf8');
  const section = renderProfilesAndCost(byProfile, prices);
  expect(readme).toContain(README_MARKERS.start);
  expect(replaceSection(readme, section)).toBe(readme);
});

test('a lean environment, sample app included, lists at most $150 a month', () => {
  expect(total('lean')).toBeLessThanOrEqual(150);
  expect(total('production')).toBeGreaterThan(total('lean'));
});

test('prices what the templates hold: NAT gateways, endpoints per zone, Multi-AZ twice, tasks at their floor', () => {
  const hourly = (key: string) => prices[key].usd * 730;
  const production = estimate(byProfile.production.stacks, prices);
  expect(production.natGateways.usd).toBeCloseTo(3 * (hourly('nat-gateway-hour') + hourly('public-ipv4-hour')));
  expect(production.interfaceEndpoints.usd).toBeCloseTo(8 * hourly('interface-endpoint-hour'));
  expect(production.database.usd).toBeCloseTo(2 * hourly('rds-postgres-db.t4g.medium-hour'));
  expect(production.clairTasks.detail).toBe('2 × 1 vCPU, 4 GB');
  const lean = estimate(byProfile.lean.stacks, prices);
  expect(lean.sampleApp.detail).toBe('1 × 0.25 vCPU, 0.5 GB, public IPv4');
});

test('every price names its region, date and public source page', () => {
  expect(Object.keys(prices).length).toBeGreaterThan(5);
  for (const price of Object.values(prices)) {
    expect(price.usd).toBeGreaterThan(0);
    expect(price.region).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
    expect(price.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(price.source).toMatch(/^https:\/\//);
  }
});

test('rejects a cost page without the markers, and a template priced without its price', () => {
  expect(() => replaceSection('no markers here', 'x')).toThrow(/docs\/cost\.md lacks the markers/);
  const withoutAlb = Object.fromEntries(Object.entries(prices).filter(([key]) => key !== 'alb-hour'));
  expect(() => estimate(byProfile.lean.stacks, withoutAlb)).toThrow(/cost\/prices\.csv has no price 'alb-hour'/);
});
