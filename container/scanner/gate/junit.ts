import { safe } from './text';

/** One test case: at most one of failure, skipped and error. */
export interface JunitCase {
  readonly classname: string;
  readonly name: string;
  readonly failure?: { readonly type: string; readonly message: string; readonly text: string };
  readonly skipped?: string;
  readonly error?: string;
}

/** Text safe in XML content and attributes: redacted, control characters escaped, markup escaped. */
export function xml(value: unknown): string {
  return safe(value).replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&quot;' })[c]!,
  );
}

/** A test suite: its name and cases. */
export interface JunitSuite {
  readonly name: string;
  readonly cases: JunitCase[];
}

/** The counts of a set of cases, as JUnit's attributes. */
function counts(cases: JunitCase[]): string {
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const errors = cases.filter((c) => c.error !== undefined).length;
  return `tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}"`;
}

/**
 * One test suite as JUnit XML, the format CodeBuild report groups read; the counts on both roots
 * are derived from the cases.
 */
export function junit(suite: string, cases: JunitCase[]): string {
  return junitSuites([{ name: suite, cases }]);
}

/** Test suites (one per platform of an index) as JUnit XML, the counts derived from the cases. */
export function junitSuites(suites: JunitSuite[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="scan-image" ${counts(suites.flatMap((s) => s.cases))}>`,
    ...suites.flatMap((suite) => [
      `  <testsuite name="${xml(suite.name)}" ${counts(suite.cases)}>`,
      ...suite.cases.flatMap(testcase),
      '  </testsuite>',
    ]),
    '</testsuites>',
  ]
    .join('\n')
    .concat('\n');
}

/** One `<testcase>` element's lines. */
function testcase(c: JunitCase): string[] {
  return [
    `    <testcase classname="${xml(c.classname)}" name="${xml(c.name)}">`,
    ...(c.failure
      ? [
          `      <failure type="${xml(c.failure.type)}" message="${xml(c.failure.message)}">${c.failure.text
            .split('\n')
            .map(xml)
            .join('\n')}</failure>`,
        ]
      : c.skipped !== undefined
        ? [`      <skipped message="${xml(c.skipped)}"/>`]
        : c.error !== undefined
          ? [`      <error message="${xml(c.error)}"/>`]
          : []),
    '    </testcase>',
  ];
}
