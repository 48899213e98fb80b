import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * Adds the key-policy statement AWS Control Tower asks for (CT.KMS.PR.3): only AWS services may
 * create grants on the key, so a principal with kms:CreateGrant cannot hand the key to others.
 */
export function denyGrantsExceptForAwsServices(key: kms.IKey): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyGrantsExceptForAwsServices',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
      },
    }),
  );
}

/**
 * A customer-managed KMS key with yearly rotation and grants restricted to AWS services. Kept on
 * later updates and deletes (what it encrypted may outlive the stack), but scheduled for deletion
 * when the deployment that created it rolls back, so a failed first deployment leaves no keys.
 */
export function newRotatingKey(scope: Construct, id: string, description: string): kms.Key {
  const key = new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
  });
  denyGrantsExceptForAwsServices(key);
  return key;
}
