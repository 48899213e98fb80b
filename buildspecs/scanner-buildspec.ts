/** Where `scan-image` writes its reports, relative to the build's working directory. */
export const SCAN_REPORT_DIR = 'scan-reports';

/** Options of {@link scannerBuildSpec}. */
export interface ScannerBuildSpecOptions {
  /** ARN of the CodeBuild report group (type TEST) that receives each scan's JUnit report. */
  readonly reportGroupArn: string;
}

/**
 * The buildspec of the scanner project (which runs in the scanner image, next to Clair): one
 * `scan-image` run. The scan's exit code fails the build; CodeBuild uploads the JUnit report to the
 * report group whatever the result, so failed and errored scans are listed there too. Everything
 * else `scan-image` reads (CLAIR_ADDR, CANARY_IMAGE_URI, the policy, IMAGE_URI or READINESS_ONLY)
 * comes from the project's environment variables and each build's overrides, not from here.
 */
export function scannerBuildSpec(o: ScannerBuildSpecOptions): Record<string, unknown> {
  if (o.reportGroupArn.trim() === '') {
    throw new Error(
      'scannerBuildSpec: reportGroupArn must be the ARN of a CodeBuild report group, got an empty string',
    );
  }
  return {
    version: '0.2',
    env: { shell: 'bash' },
    phases: {
      build: {
        // REPORT_DIR on the command line: a project variable of the same name cannot move the
        // reports away from where the report group looks for them.
        commands: [`REPORT_DIR=${SCAN_REPORT_DIR} scan-image`],
      },
    },
    reports: {
      [o.reportGroupArn]: {
        files: ['junit.xml'],
        'base-directory': SCAN_REPORT_DIR,
        'file-format': 'JUNITXML',
      },
    },
  };
}
