import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT, RunScriptResult } from '../run-script';

/** The directory holding the stub `klar` and `aws` commands. */
export const STUBS_DIR: string = __dirname;

/**
 * A PATH that finds the stubs first and the system's tools (bash, jq, coreutils) after them,
 * but nothing else from the test runner's PATH, so a real `aws` or `klar` can never be reached.
 */
export const STUB_PATH: string = `${STUBS_DIR}:/usr/bin:/bin`;

/** The stub klar's fixture file name for an image reference (`/`, `:` and `@` become `_`). */
export function klarFixtureKey(image: string): string {
  return image.replace(/[/:@]/g, '_');
}

/** The JSON lines a stub appended to its `calls.log` in `dir`; none if it was never called. */
export function stubCalls<T>(dir: string): T[] {
  const file = path.join(dir, 'calls.log');
  if (!fs.existsSync(file)) {
    return [];
  }
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

/** One call of the stub aws, as logged: its arguments and the credentials in its environment. */
export interface AwsCall {
  readonly argv: string[];
  readonly AWS_ACCESS_KEY_ID: string | null;
  readonly AWS_SECRET_ACCESS_KEY: string | null;
  readonly AWS_SESSION_TOKEN: string | null;
}

/** The value following `--name` in a logged aws call. */
export function awsOption(call: AwsCall, name: string): string | undefined {
  const i = call.argv.indexOf(`--${name}`);
  return i >= 0 ? call.argv[i + 1] : undefined;
}

/**
 * Runs `bash script args...` asynchronously (so tests can run concurrently) with exactly `env`
 * plus PATH = {@link STUB_PATH} unless `env` sets PATH, and the test file's TMPDIR. Standard input is /dev/null: with a socket
 * there (the test runner's pipes), bash would read ~/.bashrc.
 */
export function runWithStubs(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
  cwd: string = REPO_ROOT,
): Promise<RunScriptResult> {
  const childEnv: NodeJS.ProcessEnv = { PATH: STUB_PATH, TMPDIR: os.tmpdir() };
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined) childEnv[key] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args], { env: childEnv, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A product as AWS's Price List publishes it (the JSON of one PriceList string of `get-products`). */
export interface PriceListProduct {
  readonly product: {
    readonly productFamily: string;
    readonly attributes: Record<string, string>;
    readonly sku: string;
  };
  readonly serviceCode: string;
  readonly terms: object;
  readonly version: string;
  readonly publicationDate: string;
}

/** One tier of a price: from `beginRange` units on, `usd` each. */
export interface PriceTier {
  readonly usd: number;
  readonly beginRange?: string;
  readonly endRange?: string;
}

/** What {@link priceListProduct} makes a product of. */
export interface PriceListProductSpec {
  readonly serviceCode: string;
  readonly productFamily: string;
  /** Every attribute, servicecode included. */
  readonly attributes: Record<string, string>;
  readonly unit: string;
  readonly tiers: readonly PriceTier[];
  /** What the product's price dimensions say they are for (after "$<usd> per <unit> for "). */
  readonly describedAs: string;
  /** Text the SKU is derived from: 16 characters, different for each product, like AWS's. */
  readonly skuSeed: string;
}

/** A product as AWS's Price List publishes it, with one on-demand term of one or more price tiers. */
export function priceListProduct(spec: PriceListProductSpec): PriceListProduct {
  const { serviceCode, productFamily, attributes, unit } = spec;
  const sku = spec.skuSeed
    .split('')
    .reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) % 2 ** 32, 7)
    .toString(36)
    .toUpperCase()
    .padStart(16, 'X');
  const term = `${sku}.JRTCKXETXF`;
  return {
    product: { productFamily, attributes, sku },
    serviceCode,
    terms: {
      OnDemand: {
        [term]: {
          priceDimensions: Object.fromEntries(
            spec.tiers.map((tier, index) => {
              const rateCode = `${term}.${['6YS6EN2CT7', '8EEUB22XNJ', 'VF6T3GAUKQ'][index]}`;
              return [
                rateCode,
                {
                  unit,
                  endRange: tier.endRange ?? 'Inf',
                  description: `$${tier.usd} per ${unit} for ${spec.describedAs}`,
                  appliesTo: [],
                  rateCode,
                  beginRange: tier.beginRange ?? '0',
                  pricePerUnit: { USD: tier.usd.toFixed(10) },
                },
              ];
            }),
          ),
          sku,
          effectiveDate: '2026-11-01T00:00:00Z',
          offerTermCode: 'JRTCKXETXF',
          termAttributes: {},
        },
      },
    },
    version: '20261120153012',
    publicationDate: '2026-11-20T15:30:12Z',
  };
}

/**
 * Writes `products` where the stub aws's `pricing get-products` reads them (its
 * STUB_AWS_PRICE_LIST); returns the file. One line per product, so that the stub matches filters in
 * bash without starting jq: the service code, a tab, each field a TERM_MATCH filter can name as
 * `name=value` followed by a tab (productFamily and sku, then the attributes, which win over
 * them), then the product's JSON as a JSON string, the PriceList entry the stub answers with as it
 * is. Throws on a tab or line break in a field, or `=` or `"` in a name, which the format cannot hold.
 */
export function writeStubPriceList(products: readonly PriceListProduct[]): string {
  const lines = products.map((product) => {
    const { productFamily, sku, attributes } = product.product;
    const fields = Object.entries({ productFamily, sku, ...attributes });
    for (const text of [product.serviceCode, ...fields.flat()]) {
      if (/[\t\n\r]/.test(text)) throw new Error(`the stub's price list cannot hold a tab or line break: ${text}`);
    }
    for (const [name] of fields) {
      if (/[="]/.test(name)) throw new Error(`the stub's price list cannot hold '=' or '"' in a field name: ${name}`);
    }
    const named = fields.map(([name, value]) => `${name}=${value}\t`).join('');
    return `${product.serviceCode}\t${named}${JSON.stringify(JSON.stringify(product))}\n`;
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'price-list-')), 'products.lines');
  fs.writeFileSync(file, lines.join(''));
  return file;
}
