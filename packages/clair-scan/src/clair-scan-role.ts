import { Lazy, Names } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { SCAN_ROLE_PREFIX } from './contract';

/** IAM's longest role name. */
const MAX_ROLE_NAME_LENGTH = 64;

/**
 * The role a {@link ClairScanStep} runs as: CodeBuild may assume it, and its name starts with
 * `SCAN_ROLE_PREFIX` (`clair-scan-`), which puts it among the roles a scanner's invoker role
 * trusts in this account. The rest of the name is derived from the construct path, so it is
 * stable and unique within the app (role names are per account: two apps that deploy the same
 * construct path into one account must choose different ids). Create one per environment (or per
 * step): each step adds `sts:AssumeRole` on its own scanner's invoker role only.
 */
export class ClairScanRole extends iam.Role {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      roleName: Lazy.string({
        produce: () =>
          SCAN_ROLE_PREFIX +
          Names.uniqueResourceName(this, { maxLength: MAX_ROLE_NAME_LENGTH - SCAN_ROLE_PREFIX.length }),
      }),
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      description: "Runs Clair scan steps: may assume the scanners' invoker roles its steps name",
    });
  }
}
