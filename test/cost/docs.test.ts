import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROFILE_NAMES, PROFILES } from '../../config/profiles';
import { COST_DOCS_FILE, renderCostDocs } from '../../cost/docs';
import { KEYS, rdsInstanceKey } from '../../cost/items';
import { readPriceSheet } from '../../cost/price-sheet';

const sheet = readPriceSheet();

test('docs/cost.md is what `npm run cost -- --write-docs` makes of the example configuration and the sheet', () => {
  const committed = fs.readFileSync(COST_DOCS_FILE, 'utf8');
  if (committed !== renderCostDocs(sheet)) {
    throw new Error('docs/cost.md is stale: run `npm run cost -- --write-docs` and commit the result');
  }
  expect(committed.split('\n')[0]).toBe(
    '<!-- Generated from cost/docs-config.json and cost/prices.csv by `npm run cost -- --write-docs`; do not edit. -->',
  );
});

test('the sheet prices every key the model uses, and both profiles’ instance classes, in at least five regions', () => {
  const keys = [
    ...Object.values(KEYS),
    ...PROFILE_NAMES.map((profile) => rdsInstanceKey(PROFILES[profile].database.instanceType)),
  ];
  expect(Object.keys(sheet)).toEqual(
    expect.arrayContaining(['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1']),
  );
  for (const [region, prices] of Object.entries(sheet)) {
    expect({ region, missing: keys.filter((key) => !prices[key]) }).toEqual({ region, missing: [] });
  }
});

test('every price of the sheet says where it comes from: the Price List, a page that states it, or recalled', () => {
  for (const price of Object.values(sheet).flatMap((prices) => Object.values(prices))) {
    expect(price.source).toMatch(
      /^(page: https:\/\/\S+|recalled \(not verified here\): https:\/\/aws\.amazon\.com\/\S+)/,
    );
    expect(price.usd).toBeGreaterThan(0);
  }
});

test('rejects a sheet line it cannot read, and a price given twice, naming the line', () => {
  const write = (text: string) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sheet-')), 'prices.csv');
    fs.writeFileSync(file, text);
    return file;
  };
  const header = '# a comment\nkey,region,usd,unit,date,source\n';
  const line = 'alb-hour,eu-west-1,0.02,per hour,2026-12-04,page: https://example.com/a, with a comma\n';
  expect(readPriceSheet(write(header + line))['eu-west-1']['alb-hour'].source).toBe(
    'page: https://example.com/a, with a comma',
  );
  expect(() => readPriceSheet(write(header + line + line))).toThrow(
    "prices.csv line 4 repeats the price 'alb-hour' of eu-west-1",
  );
  expect(() => readPriceSheet(write(`${header}alb-hour,eu-west-1,cheap,per hour,2026-12-04,page: x\n`))).toThrow(
    /^prices\.csv line 3 must be key,region,usd,unit,date,source with a number, a YYYY-MM-DD date and a source/,
  );
  expect(() => readPriceSheet(write('key,usd\n'))).toThrow(
    "prices.csv line 1 must be the header 'key,region,usd,unit,date,source'",
  );
});
