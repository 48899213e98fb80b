import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { remoteScanBuildSpec, remoteScanCommand, REMOTE_SCAN_SCRIPT_PATH } from '@clair-pipeline/scan';
import { renderBuildSpecs } from '../../buildspecs/render';
import { RECORD_UPLOAD_FAILED, scannerBuildSpec } from '../../buildspecs/scanner-buildspec';
import { REPO_ROOT, runScript } from '../helpers/run-script';

const rendered = renderBuildSpecs();

describe('rendered buildspecs', () => {
  test.each(Object.keys(rendered))('buildspecs/%s is up to date', (file) => {
    const committed = fs.readFileSync(path.join(REPO_ROOT, 'buildspecs', file), 'utf8');
    if (committed !== rendered[file]) {
      throw new Error(`buildspecs/${file} is stale: run \`npm run buildspecs\` and commit the result`);
    }
  });

  test.each(Object.entries(rendered))('%s starts with its "do not edit" line and parses back', (file, text) => {
    expect(text.split('\n')[0]).toMatch(
      /^# Generated from (buildspecs|packages\/clair-scan\/src)\/[a-z-]+\.ts by `npm run buildspecs`; do not edit\.$/,
    );
    expect(YAML.parse(text)).toHaveProperty('version', '0.2');
    expect(file).toMatch(/\.yml$/);
  });
});

describe('the scanner buildspec', () => {
  const arn = 'arn:aws:codebuild:eu-central-1:222222222222:report-group/scans';
  const spec = scannerBuildSpec({ reportGroupArn: arn });

  test('publishes the JUnit report to the given report group', () => {
    expect(spec.reports).toEqual({
      [arn]: { files: ['junit.xml'], 'base-directory': 'scan-reports', 'file-format': 'JUNITXML' },
    });
  });

  test('runs scan-image as the first build command, so that its exit code decides the build', () => {
    expect(spec).toMatchObject({ env: { shell: 'bash' } });
    expect((spec.phases as any).build.commands[0]).toBe('REPORT_DIR=scan-reports scan-image');
  });

  describe("then uploads a passed scan's deployed-policy records (rescan.test.ts runs it against S3)", () => {
    const upload = (spec.phases as any).build.commands[1] as string;
    const run = (env: Record<string, string>, reports: boolean) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upload-'));
      try {
        if (reports) fs.mkdirSync(path.join(dir, 'scan-reports', 'deployed-policies'), { recursive: true });
        // Nothing on PATH: a call of `aws` fails the command (exit 127).
        return runScript('/bin/bash', ['--norc', '-c', upload], { cwd: dir, env: { PATH: dir, ...env } });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    };
    const both = { DEPLOYED_POLICY_BUCKET: 'b', DEPLOYED_POLICY_KMS_KEY: 'k' };

    test('uploads nothing when the scan recorded nothing (failed, or a readiness check)', () => {
      expect(run(both, false).status).toBe(0);
    });

    test.each(['DEPLOYED_POLICY_BUCKET', 'DEPLOYED_POLICY_KMS_KEY'])(
      'fails without %s, with a status no scan step reads as a verdict',
      (name) => {
        const result = run({ ...both, [name]: '' }, true);
        expect(result.status).toBe(RECORD_UPLOAD_FAILED);
        expect(result.stderr).toBe(
          'scan-image passed, but the policy it passed with could not be recorded for the rescan of what runs (DEPLOYED_POLICY_BUCKET, DEPLOYED_POLICY_KMS_KEY); failing: see docs/rescans.md\n',
        );
      },
    );

    test('calls the AWS CLI when there are records, and fails when it fails', () => {
      const result = run(both, true);
      expect(result.status).toBe(RECORD_UPLOAD_FAILED);
      expect(result.stderr).toContain('aws: command not found');
      expect(result.stderr).toContain('could not be recorded');
    });
  });

  test('rejects an empty report group ARN', () => {
    expect(() => scannerBuildSpec({ reportGroupArn: ' ' })).toThrow(
      /reportGroupArn must be the ARN of a CodeBuild report group/,
    );
  });
});

describe('the remote scan buildspec', () => {
  const script = fs.readFileSync(REMOTE_SCAN_SCRIPT_PATH, 'utf8');

  test('embeds the remote-scan script verbatim in its single command', () => {
    const commands = YAML.parse(rendered['remote-scan.yml']).phases.build.commands as string[];
    expect(commands).toHaveLength(1);
    expect(commands[0]).toContain(script.trimEnd());
    expect(commands[0]).toBe(remoteScanCommand());
  });

  test('its command runs the embedded script under bash', () => {
    // Without any input the script must stop at its first check: proof the heredoc ran it.
    // (--norc: bash reads ~/.bashrc when its stdin is a socket, as the test runner's pipes are.)
    const result = runScript('bash', ['--norc', '-c', remoteScanCommand()]);

    expect(result.status).toBe(2);
    expect(result.stderr).toBe("remote-scan: INVOKER_ROLE_ARN must be an IAM role ARN, got ''\n");
  });

  test('sets the timeout and poll interval as defaults the step can override', () => {
    expect(remoteScanBuildSpec({ scanTimeoutSeconds: 600, pollIntervalSeconds: 5 })).toMatchObject({
      env: { shell: 'bash', variables: { SCAN_TIMEOUT_SECONDS: '600', POLL_INTERVAL_SECONDS: '5' } },
    });
  });

  test.each([0, -1, 1.5, Number.NaN])('rejects a scan timeout of %s', (value) => {
    expect(() => remoteScanBuildSpec({ scanTimeoutSeconds: value })).toThrow(
      /scanTimeoutSeconds must be a whole number of seconds >= 1/,
    );
  });
});
