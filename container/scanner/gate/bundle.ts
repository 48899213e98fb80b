import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Builds the gate's single JavaScript file, container/scanner/scan-image.js, which the scanner image
 * runs with Debian's Node 18 (docs/design.md, "The gate is a typed program"): the gate's TypeScript
 * modules (this directory, from entry.ts) transpiled to CommonJS, and the `yaml` package's
 * CommonJS files, each wrapped in a function, with a small `require` that resolves between them.
 * Node's built-in modules are the only others it loads. The output depends only on the sources and
 * the pinned TypeScript and yaml versions, so a test rebuilds it and fails when the committed file
 * is stale (`npm run gate` writes it).
 */

/** The committed bundle: the gate and the rescan (entry.ts picks the program). */
export const BUNDLE_FILE = path.join(__dirname, '..', 'scan-image.js');
const GATE_DIR = __dirname;
const YAML_DIR = path.dirname(require.resolve('yaml/package.json'));

/** A module's id in the bundle for a file: `gate/<name>.js` or `yaml/<path>`. */
function idOf(file: string): string {
  if (file.startsWith(`${GATE_DIR}${path.sep}`))
    return `gate/${path.relative(GATE_DIR, file).split(path.sep).join('/').replace(/\.ts$/, '.js')}`;
  return `yaml/${path.relative(YAML_DIR, file).split(path.sep).join('/')}`;
}

/** The file a `require` in `from` names, or undefined for a Node built-in. */
function resolve(request: string, from: string): string | undefined {
  const bare = request.replace(/^node:/, '');
  if (builtinModules.includes(bare)) return undefined;
  if (request === 'yaml') return require.resolve('yaml');
  if (!request.startsWith('.'))
    throw new Error(`the gate may require only Node built-ins and yaml, not '${request}' (${from})`);
  const base = path.resolve(path.dirname(from), request);
  for (const candidate of [base, `${base}.ts`, `${base}.js`]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`cannot resolve '${request}' from ${from}`);
}

function compile(file: string): string {
  const source = fs.readFileSync(file, 'utf8');
  if (!file.endsWith('.ts')) return source;
  return ts.transpileModule(source, {
    fileName: path.basename(file),
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      removeComments: true,
      newLine: ts.NewLineKind.LineFeed,
    },
  }).outputText;
}

/** The bundle's text, from entry.ts and every module it requires. */
export function bundleGate(): string {
  const modules = new Map<string, string>();
  const visit = (file: string): string => {
    const id = idOf(file);
    if (modules.has(id)) return id;
    modules.set(id, '');
    const code = compile(file).replace(/\brequire\((["'])([^"']+)\1\)/g, (call, _quote, request: string) => {
      const target = resolve(request, file);
      return target === undefined ? call : `__gateRequire(${JSON.stringify(visit(target))})`;
    });
    modules.set(id, code);
    return id;
  };
  const entryId = visit(path.join(GATE_DIR, 'entry.ts'));
  const yamlVersion = JSON.parse(fs.readFileSync(path.join(YAML_DIR, 'package.json'), 'utf8')).version;
  const body = [...modules.keys()]
    .sort()
    .map(
      (id) => `${JSON.stringify(id)}: function (module, exports, __gateRequire) {\n${modules.get(id)!.trimEnd()}\n},`,
    );
  return [
    `// Generated from container/scanner/gate/*.ts and yaml ${yamlVersion} by \`npm run gate\`; do not edit.`,
    '// The scan gate and the rescan, run by container/scanner/scan-image and rescan-images with Node (docs/design.md).',
    "'use strict';",
    'const __gateModules = {',
    ...body,
    '};',
    'const __gateCache = {};',
    'function __gateRequire(id) {',
    '  if (!__gateCache[id]) {',
    '    const module = { exports: {} };',
    '    __gateCache[id] = module;',
    '    __gateModules[id](module, module.exports, __gateRequire);',
    '  }',
    '  return __gateCache[id].exports;',
    '}',
    `__gateRequire(${JSON.stringify(entryId)});`,
    '',
  ].join('\n');
}

if (require.main === module) {
  fs.writeFileSync(BUNDLE_FILE, bundleGate());
  console.log(`wrote ${path.relative(process.cwd(), BUNDLE_FILE)}`);
}
