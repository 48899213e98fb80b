import { TargetScan } from './image-scan';
import { JunitCase, junitSuites } from './junit';
import { safe } from './text';
import { Verdict } from './verdict';

/** One target's verdict, with the scan it decides. */
export interface TargetVerdict {
  readonly scan: TargetScan;
  readonly verdict: Verdict;
}

/** The gate's decision over every image scanned: the image's, or each platform's of an index. */
export interface Overall {
  /** The platforms (or the image) whose counted vulnerabilities exceed the tolerance, with the counts. */
  readonly vulnerable: Array<{ readonly name: string; readonly counted: number }>;
  /** The platforms (or the image) that are not covered, with the reasons. */
  readonly notCovered: Array<{ readonly name: string; readonly gaps: string }>;
  readonly summary: string;
  readonly junit: string;
}

/**
 * Combines the verdicts: an image scanned alone keeps its own summary and report; an index passes
 * only if every platform passes, and its summary and JUnit report show each platform (one test
 * suite per platform).
 */
export function combine(
  image: string,
  index: { readonly digest: string; readonly attestations: number } | null,
  verdicts: TargetVerdict[],
  maxVulnerabilities: number,
): Overall {
  const name = (v: TargetVerdict) => v.scan.target.platform?.name ?? image;
  const vulnerable = verdicts
    .filter((v) => v.verdict.counted > maxVulnerabilities)
    .map((v) => ({ name: name(v), counted: v.verdict.counted }));
  const notCovered = verdicts
    .filter((v) => v.verdict.coverage.state === 'not-covered')
    .map((v) => ({ name: name(v), gaps: v.verdict.coverage.gaps }));
  if (index === null) {
    return { vulnerable, notCovered, summary: verdicts[0].verdict.summary, junit: verdicts[0].verdict.junit };
  }
  const failed = [...new Set([...vulnerable, ...notCovered].map((f) => f.name))];
  const header = [
    'Scan gate summary (an index: every platform must pass)',
    `  image:      ${image}`,
    `  index:      ${index.digest}`,
    `  platforms:  ${verdicts.map(name).join(', ')} scanned; ${index.attestations} attestation manifest${index.attestations === 1 ? '' : 's'} skipped`,
  ];
  const verdict =
    failed.length === 0
      ? `PASS: every platform passed (${verdicts.length})`
      : `FAIL: ${failed.join(', ')} failed (${failed.length} of ${verdicts.length} platforms)`;
  const summary = [
    header.map(safe).join('\n'),
    ...verdicts.map((v) => v.verdict.summary.replace(/^Scan gate summary\n/, `Platform ${safe(name(v))}\n`)),
    `Verdict: ${verdict}\n`,
  ].join('\n');
  const suites = verdicts.map((v) => ({
    name: `${image} ${name(v)}`,
    cases: v.verdict.cases.map((c): JunitCase => ({ ...c, classname: `${name(v)}.${c.classname}` })),
  }));
  return { vulnerable, notCovered, summary, junit: junitSuites(suites) };
}
