/**
 * What synth must look up in an account, and whether it can. A stack with an explicit account
 * asks CDK for the zones of its region whenever a new VPC in it does not name its zones; CDK
 * answers from the context (cdk.context.json) or, through the CLI, with AWS calls, which fail
 * with "Need to perform AWS calls for account …, but no credentials have been configured" when
 * there are none.
 */

/** The context key under which CDK records the availability zones of an account's region. */
export function availabilityZonesContextKey(account: string, region: string): string {
  return `availability-zones:account=${account}:region=${region}`;
}

/**
 * Whether synth can learn the zones of `account` in `region` without the configuration naming
 * them: the context holds them, or the CLI has credentials (it sets CDK_DEFAULT_ACCOUNT only then).
 * Credentials for another account may still not reach this one; CDK then names the account itself.
 */
export function canLookUpZones(
  context: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): (account: string, region: string) => boolean {
  const credentials = Boolean(env.CDK_DEFAULT_ACCOUNT);
  return (account, region) => credentials || context[availabilityZonesContextKey(account, region)] !== undefined;
}
