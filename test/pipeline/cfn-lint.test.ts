import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultStacks } from '../helpers/default-assembly';
import { REPO_ROOT, runScript } from '../helpers/run-script';
import { cacheEntry, lintWithCache, PINNED_CFN_LINT } from './cfn-lint-cache';
import { CFN_LINT_ACKNOWLEDGEMENTS, CfnLintAcknowledgement } from './cfn-lint-acknowledgements';

/** A template broken on purpose, linted in the same run, so the negative tests see real findings. */
const FIXTURE = path.join(__dirname, 'fixtures', 'cfn-lint-findings.template.json');

/** One cfn-lint finding, located by stack display path and resource logical id. */
interface Finding {
  readonly rule: string;
  readonly level: string;
  readonly stack: string;
  readonly resource: string;
  readonly message: string;
}

const describeFinding = (f: Finding) => `${f.rule} (${f.level}) ${f.stack}/${f.resource}: ${f.message}`;

/** A `*` pattern as an anchored regular expression. */
function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

function acknowledges(entry: CfnLintAcknowledgement, finding: Finding): boolean {
  return (
    entry.rule === finding.rule &&
    glob(entry.stacks).test(finding.stack) &&
    glob(entry.resource).test(finding.resource) &&
    (entry.message === undefined || entry.message === finding.message)
  );
}

/** Findings no acknowledgement covers. */
function unacknowledged(findings: Finding[], acknowledgements: CfnLintAcknowledgement[]): string[] {
  return findings.filter((f) => !acknowledgements.some((a) => acknowledges(a, f))).map(describeFinding);
}

/** Acknowledgements that match no finding any more. */
function stale(findings: Finding[], acknowledgements: CfnLintAcknowledgement[]): string[] {
  return acknowledgements
    .filter((a) => !findings.some((f) => acknowledges(a, f)))
    .map((a) => `${a.rule} ${a.stacks}/${a.resource}`);
}

/** Acknowledgements of an error that do not name its exact message. */
function looseErrorAcknowledgements(acknowledgements: CfnLintAcknowledgement[]): string[] {
  return acknowledgements
    .filter((a) => a.rule.startsWith('E') && a.message === undefined)
    .map((a) => `${a.rule} ${a.stacks}/${a.resource}`);
}

const stacks = defaultStacks();
let appFindings: Finding[] = [];
let fixtureFindings: Finding[] = [];

// One cfn-lint process over every template of the default app (and the fixture) that it has not
// linted before: its start is the slow part (a few seconds), and a template it linted in an earlier
// run gets the same matches from the cache (test/pipeline/cfn-lint-cache.ts).
beforeAll(async () => {
  const stackOf = new Map<string, string>([
    ...stacks.map((s): [string, string] => [s.templateFile, s.displayPath]),
    [FIXTURE, 'fixture'],
  ]);
  const matches = await lintWithCache([...stackOf.keys()], PINNED_CFN_LINT);
  const findings: Finding[] = matches.map((match: any) => ({
    rule: match.Rule.Id,
    level: match.Level,
    stack: stackOf.get(match.Filename) ?? match.Filename,
    resource: match.Location.Path[0] === 'Resources' ? String(match.Location.Path[1]) : match.Location.Path.join('/'),
    message: match.Message,
  }));
  appFindings = findings.filter((f) => f.stack !== 'fixture');
  fixtureFindings = findings.filter((f) => f.stack === 'fixture');
});

describe('cfn-lint over every template of the default app', () => {
  test(`is the pinned version (${PINNED_CFN_LINT}), the one the acknowledgements were reviewed with`, () => {
    expect(
      runScript('bash', [path.join(REPO_ROOT, 'scripts', 'cfn-lint-version.sh')], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
      }).stdout.trim(),
    ).toBe(PINNED_CFN_LINT);
  });

  test('finds nothing that is not acknowledged, and every acknowledgement still matches', () => {
    expect(stacks.length).toBeGreaterThanOrEqual(7);
    expect(unacknowledged(appFindings, CFN_LINT_ACKNOWLEDGEMENTS)).toEqual([]);
    expect(stale(appFindings, CFN_LINT_ACKNOWLEDGEMENTS)).toEqual([]);
  });

  test('acknowledges an error only by its exact message', () => {
    expect(looseErrorAcknowledgements(CFN_LINT_ACKNOWLEDGEMENTS)).toEqual([]);
  });

  test('rejects an error and an unacknowledged warning (the gate fires)', () => {
    expect(unacknowledged(fixtureFindings, CFN_LINT_ACKNOWLEDGEMENTS)).toEqual([
      expect.stringMatching(/^E3002 \(Error\) fixture\/Topic: Additional properties are not allowed/),
      expect.stringMatching(/^W3005 \(Warning\) fixture\/Queue: 'Topic' dependency already enforced/),
    ]);
  });

  test('rejects an acknowledgement that matches no finding any more', () => {
    const gone: CfnLintAcknowledgement = { rule: 'W3005', stacks: 'ClairPipeline', resource: 'Gone', reason: 'test' };

    expect(stale(appFindings, [...CFN_LINT_ACKNOWLEDGEMENTS, gone])).toEqual(['W3005 ClairPipeline/Gone']);
  });

  test('rejects an error acknowledgement without its exact message', () => {
    const loose: CfnLintAcknowledgement = { rule: 'E3002', stacks: 'fixture', resource: 'Topic', reason: 'test' };

    expect(looseErrorAcknowledgements([loose])).toEqual(['E3002 fixture/Topic']);
  });

  test('takes a template it linted before from the cache, under the path it has in this run, without starting cfn-lint', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-cache-'));
    const template = path.join(dir, 'Template.json');
    fs.writeFileSync(template, '{"Resources": {}}');
    const entry = cacheEntry(template, 'cfn-lint 0.0.0', dir);
    fs.writeFileSync(entry, JSON.stringify([{ Rule: { Id: 'W0000' }, Filename: '<template>' }]));
    const searchPath = process.env.PATH;
    process.env.PATH = dir; // no cfn-lint here: a cache miss fails
    try {
      expect(await lintWithCache([template], 'cfn-lint 0.0.0', dir)).toEqual([
        { Rule: { Id: 'W0000' }, Filename: template },
      ]);
      await expect(lintWithCache([template], 'cfn-lint 0.0.1', dir)).rejects.toThrow(/could not run cfn-lint/);
    } finally {
      process.env.PATH = searchPath;
    }
  });
});
