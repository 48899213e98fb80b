import * as fs from 'fs';
import * as path from 'path';
import { Aws, CfnOutput, Duration, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { invokerRoleName, SCAN_ROLE_PREFIX, SCANNER_PROJECT_NAME } from './contract';
import { GatePolicy, gatePolicyEnvironment } from './gate-policy';
import { remoteScanBuildSpec } from './remote-scan-buildspec';

/** Where an account's scanner is. */
export interface ScannerLocation {
  /** The account that runs the Clair stage. */
  readonly account: string;
  /** Its region. */
  readonly region: string;
  /**
   * The Clair stage's outputs, when the stage is in the same CDK app: read with envFromCfnOutputs,
   * which also makes the step wait for that stage. @default the well-known names
   * (`clair-scanner` and `clair-scanner-invoker-<region>`), for pipelines in other apps
   */
  readonly outputs?: { readonly projectName: CfnOutput; readonly invokerRoleArn: CfnOutput };
}

/** Properties of {@link ClairScanStep}. */
export interface ClairScanStepProps {
  /** The scanner to use. */
  readonly scanner: ScannerLocation;
  /**
   * The role the step runs as. The scanner's invoker role trusts only roles named `clair-scan-…`
   * in a trusted account: pass a {@link ClairScanRole}, or a role of your own with such a name.
   * The step adds `sts:AssumeRole` on the scanner's invoker role to it.
   */
  readonly role: iam.IRole;
  /**
   * The exact image to scan (`registry/repo:tag` or `registry/repo@sha256:...`).
   * @default only check that Clair's data is loaded (canary readiness), scan nothing else
   */
  readonly imageUri?: string;
  /** The policy to enforce. @default the scanner project's own defaults for its environment */
  readonly policy?: GatePolicy;
  /** Project root that `policy.allowlistFile` is relative to. @default the current directory */
  readonly projectRoot?: string;
  /**
   * The remote scanner build's own timeout; the step waits 10 minutes longer before it stops the
   * build and fails, so a build is never cut short by the waiting side.
   * @default 90 minutes (the scanner's default: 60 minutes readiness + 30)
   */
  readonly scannerBuildTimeout?: Duration;
}

/**
 * A pipeline step that scans an image with the Clair scanner of a target account, or checks that
 * scanner's readiness, and fails unless the remote scan passed. It assumes the account's invoker
 * role, starts the scanner project with IMAGE_URI (and the policy) overridden, waits within a
 * bound, prints the remote result and log location, and exits non-zero for anything but success.
 *
 * Use it as a `pre` step of the stage that deploys the image, in this pipeline or any other
 * CDK Pipelines pipeline whose account the scanner's invoker role trusts, with a role whose name
 * has the prefix that role trusts ({@link ClairScanRole}).
 */
export class ClairScanStep extends pipelines.CodeBuildStep {
  constructor(id: string, props: ClairScanStepProps) {
    const { scanner } = props;
    const timeout = (props.scannerBuildTimeout ?? Duration.minutes(90)).plus(Duration.minutes(10));
    const env: Record<string, string> = {
      SCANNER_REGION: scanner.region,
      SCAN_TIMEOUT_SECONDS: String(timeout.toSeconds()),
      ...(props.imageUri ? { IMAGE_URI: props.imageUri } : { READINESS_ONLY: 'true' }),
      ...(props.policy ? policyOverrides(props.policy, props.projectRoot ?? process.cwd()) : {}),
    };
    assertScanRole(id, props.role);
    const invokerRoleArn = `arn:${Aws.PARTITION}:iam::${scanner.account}:role/${invokerRoleName(scanner.region)}`;
    if (!scanner.outputs) {
      env.SCANNER_PROJECT_NAME = SCANNER_PROJECT_NAME;
      env.INVOKER_ROLE_ARN = invokerRoleArn;
    }
    super(id, {
      commands: [],
      role: props.role,
      partialBuildSpec: codebuild.BuildSpec.fromObject(remoteScanBuildSpec()),
      env,
      envFromCfnOutputs: scanner.outputs
        ? { SCANNER_PROJECT_NAME: scanner.outputs.projectName, INVOKER_ROLE_ARN: scanner.outputs.invokerRoleArn }
        : {},
      rolePolicyStatements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [invokerRoleArn] })],
      // The poller stops the remote build at SCAN_TIMEOUT_SECONDS; this bound is a backstop for it.
      timeout: timeout.plus(Duration.minutes(10)),
    });
  }
}

/** Fails unless the role's name has the prefix the invoker trusts (unresolved names of imported roles are not checked). */
function assertScanRole(id: string, role: iam.IRole): void {
  const cfnRole = role.node.defaultChild;
  const name: unknown = cfnRole instanceof iam.CfnRole ? Stack.of(cfnRole).resolve(cfnRole.roleName) : role.roleName;
  if (typeof name === 'string' && !Token.isUnresolved(name) && !name.startsWith(SCAN_ROLE_PREFIX)) {
    throw new Error(
      `ClairScanStep ${id}: role must be named '${SCAN_ROLE_PREFIX}…', the prefix the scanner's invoker role trusts; got '${name}'. Use a ClairScanRole or name your role with that prefix`,
    );
  }
  if (cfnRole instanceof iam.CfnRole && name === undefined) {
    throw new Error(
      `ClairScanStep ${id}: role must be named '${SCAN_ROLE_PREFIX}…', the prefix the scanner's invoker role trusts; it has a generated name. Use a ClairScanRole or give your role such a name`,
    );
  }
}

/** The policy as remote build overrides; the allowlist travels base64-encoded. */
function policyOverrides(policy: GatePolicy, projectRoot: string): Record<string, string> {
  const overrides = gatePolicyEnvironment(policy);
  if (policy.allowlistFile) {
    overrides.ALLOWLIST_B64 = fs.readFileSync(path.join(projectRoot, policy.allowlistFile)).toString('base64');
  }
  return overrides;
}
