import * as fs from 'fs';

/** One `<testcase>` of a JUnit report. */
export interface JunitCase {
  readonly classname: string;
  readonly name: string;
  readonly failure: boolean;
  readonly skipped: boolean;
  readonly error: boolean;
}

/** The counts a JUnit report declares on its root, and its test cases. */
export interface JunitReport {
  readonly tests: number;
  readonly failures: number;
  readonly skipped: number;
  readonly errors: number;
  /** The names of its test suites (one per platform of an index). */
  readonly suites: string[];
  readonly cases: JunitCase[];
}

interface XmlElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
}

const NAME = '[A-Za-z_][\\w.-]*';
const REFERENCE = /&(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTERS = /[\x00-\x08\x0B\x0C\x0E-\x1F]/;

function decode(raw: string, where: string): string {
  if (raw.replace(REFERENCE, '').includes('&') || raw.includes(']]>') || FORBIDDEN_CHARACTERS.test(raw)) {
    throw new Error(`bad character data in ${where}: ${JSON.stringify(raw)}`);
  }
  const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
  return raw.replace(REFERENCE, (ref) => {
    const body = ref.slice(1, -1);
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    return named[body];
  });
}

/**
 * A strict parser for the XML subset scan-image writes (declaration, elements, attributes, text;
 * no comments, CDATA or doctype): it throws on anything not well-formed, such as an unescaped
 * `<` or `&`, a literal `]]>`, a forbidden control character, a bad attribute or a mismatched tag.
 */
export function parseXml(xml: string): XmlElement {
  const tag = new RegExp(`^<(/?)(${NAME})((?:\\s+${NAME}="[^"<]*")*)\\s*(/?)>`);
  const attribute = new RegExp(`(${NAME})="([^"<]*)"`, 'g');
  let rest = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (rest !== '') {
    const lt = rest.indexOf('<');
    const text = lt < 0 ? rest : rest.slice(0, lt);
    decode(text, stack.length ? `<${stack[stack.length - 1].name}>` : 'the prolog');
    if (!stack.length && text.trim() !== '') throw new Error(`text outside the root: ${JSON.stringify(text)}`);
    if (lt < 0) break;
    rest = rest.slice(lt);
    const m = tag.exec(rest);
    if (!m) throw new Error(`malformed tag at ${JSON.stringify(rest.slice(0, 60))}`);
    rest = rest.slice(m[0].length);
    const [, closing, name, attrs, selfClosing] = m;
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name || attrs || selfClosing) throw new Error(`unexpected </${name}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key, value] of attrs.matchAll(attribute)) {
      if (key in attributes) throw new Error(`duplicate attribute ${key} on <${name}>`);
      attributes[key] = decode(value, `${name}@${key}`);
    }
    const element: XmlElement = { name, attributes, children: [] };
    if (stack.length) stack[stack.length - 1].children.push(element);
    else if (root) throw new Error('more than one root element');
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  if (!root || stack.length) throw new Error('unclosed or missing root element');
  return root;
}

/** Parses a JUnit XML file, throwing unless it is well-formed with a `<testsuites>` root. */
export function parseJunit(file: string): JunitReport {
  const root = parseXml(fs.readFileSync(file, 'utf8'));
  if (root.name !== 'testsuites') throw new Error(`root is <${root.name}>, not <testsuites>`);
  const count = (key: string): number => Number(root.attributes[key]);
  const cases = root.children
    .flatMap((suite) => suite.children)
    .map((c) => ({
      classname: c.attributes.classname,
      name: c.attributes.name,
      failure: c.children.some((e) => e.name === 'failure'),
      skipped: c.children.some((e) => e.name === 'skipped'),
      error: c.children.some((e) => e.name === 'error'),
    }));
  return {
    tests: count('tests'),
    failures: count('failures'),
    skipped: count('skipped'),
    errors: count('errors'),
    suites: root.children.map((suite) => suite.attributes.name),
    cases,
  };
}
