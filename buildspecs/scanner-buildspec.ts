import { DEPLOYED_POLICIES } from '../container/scanner/gate/deployed-policy';

/** Where `scan-image` writes its reports, relative to the build's working directory. */
export const SCAN_REPORT_DIR = 'scan-reports';

/**
 * The scanner project's variables that name where deployed-policy records go: the rescan's bucket and
 * its KMS key. Project variables, not among those an invoker may override (GATE_VARIABLES).
 */
export const DEPLOYED_POLICY_VARIABLES = { bucket: 'DEPLOYED_POLICY_BUCKET', kmsKey: 'DEPLOYED_POLICY_KMS_KEY' };

/**
 * The scanner build's exit status when a passed image's deployed-policy records could not be
 * uploaded: outside scan-image's own (0-7, 70), so that no scan step reads it as one of its verdicts.
 */
export const RECORD_UPLOAD_FAILED = 80;

/**
 * Uploads the deployed-policy records a passed scan wrote (docs/rescans.md) to the rescan's bucket
 * under the same keys, SSE-KMS with its key. Runs only after scan-image exited 0 (a failed command
 * ends the phase). A missing variable or a failed upload fails the build with
 * {@link RECORD_UPLOAD_FAILED}, since an image whose policy is not recorded would be rescanned by
 * the environment's default policy without anyone knowing.
 */
const UPLOAD_RECORDS = [
  `if [ -d ${SCAN_REPORT_DIR}/${DEPLOYED_POLICIES} ]; then`,
  `if [ -z "\${${DEPLOYED_POLICY_VARIABLES.bucket}:-}" ] || [ -z "\${${DEPLOYED_POLICY_VARIABLES.kmsKey}:-}" ] ||`,
  `! aws s3 cp ${SCAN_REPORT_DIR}/${DEPLOYED_POLICIES} "s3://\${${DEPLOYED_POLICY_VARIABLES.bucket}}/${DEPLOYED_POLICIES}"`,
  `--recursive --sse aws:kms --sse-kms-key-id "\${${DEPLOYED_POLICY_VARIABLES.kmsKey}}" --only-show-errors; then`,
  `echo "scan-image passed, but the policy it passed with could not be recorded for the rescan of what runs`,
  `(${DEPLOYED_POLICY_VARIABLES.bucket}, ${DEPLOYED_POLICY_VARIABLES.kmsKey}); failing: see docs/rescans.md" >&2;`,
  `exit ${RECORD_UPLOAD_FAILED}; fi; fi`,
].join(' ');

/** Options of {@link scannerBuildSpec}. */
export interface ScannerBuildSpecOptions {
  /** ARN of the CodeBuild report group (type TEST) that receives each scan's JUnit report. */
  readonly reportGroupArn: string;
}

/**
 * The buildspec of the scanner project (which runs in the scanner image, next to Clair): one
 * `scan-image` run, then the upload of the policy a passed image was deployed with. The scan's exit
 * code fails the build; CodeBuild uploads the JUnit report to the
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
        commands: [`REPORT_DIR=${SCAN_REPORT_DIR} scan-image`, UPLOAD_RECORDS],
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
