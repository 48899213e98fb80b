import * as fs from 'fs';
import * as path from 'path';
import { ERROR_FILE } from '../global-setup';
import { defaultAssemblyDir, defaultStacks, defaultValidationReport } from '../helpers/default-assembly';

const report = defaultValidationReport();
const suppressed: any[] = report.pluginReports.flatMap((plugin: any) => plugin.suppressedViolations ?? []);

describe('the security gates on the default app', () => {
  test('leave nothing unacknowledged, not even a warning', () => {
    const open = report.pluginReports.flatMap((plugin: any) =>
      plugin.violations.map((v: any) => `${v.severity} ${v.ruleName}`),
    );
    expect(open).toEqual([]);
  });

  test('raise no error on the way, so a successful synth leaves no cdk.out/error.txt', () => {
    // The assemblies' directory holds one per fixture app; the error file would be beside it.
    expect(fs.existsSync(path.join(defaultAssemblyDir(), '..', '..', ERROR_FILE))).toBe(false);
  });

  test('every acknowledgement names one resource below a stack, never a stage, stack or the app', () => {
    const scopes = new Set(
      defaultStacks().flatMap(({ displayPath }) =>
        displayPath.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/')),
      ),
    );
    const offenders = suppressed.map((s) => s.acknowledgedAt).filter((at: string) => scopes.has(at));
    expect(suppressed.length).toBeGreaterThan(20);
    expect(offenders).toEqual([]);
  });

  test('every acknowledgement gives a specific reason', () => {
    for (const s of suppressed) expect(s.reason.length).toBeGreaterThan(40);
  });

  // A reviewed list: a new acknowledgement changes this snapshot, so it shows up in review.
  test('the list of acknowledgements is the reviewed one', () => {
    const lines = [
      ...new Set(suppressed.map((s) => `${s.acknowledgedAt}\n    ${s.acknowledgedId}\n    ${s.reason}`)),
    ].sort();
    expect(lines.join('\n')).toMatchSnapshot();
  });
});
