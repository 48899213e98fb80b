/**
 * Checks that relate settings to each other or to what synth can do, beyond what one setting's
 * rule says.
 */
import type { AccountRegion, EnvironmentConfig } from './config';
import { configFixHint, listFixHint, ObjectReader } from './config-reader';
import { RULES } from './config-rules';

/**
 * The pipeline's source action uses the connection with the pipeline's own role, whose policy
 * allows `codeconnections:UseConnection` on it. A connection has no resource policy and cannot be
 * shared with another account, so it must belong to the pipeline account. Its region does not
 * matter: connections are global resources, usable in every region (the region in the ARN is where
 * it is managed), except connections through a host (GitHub Enterprise Server, GitLab
 * self-managed), whose host is regional. Its partition is the pipeline's.
 */
export function checkConnectionAccount(
  reader: ObjectReader,
  arn: string,
  pipeline: AccountRegion,
  partition?: string,
): void {
  if (!RULES.connectionArn.pattern.test(arn) || !RULES.account.pattern.test(pipeline.account)) return;
  const [, arnPartition, , , account] = arn.split(':');
  const fix = `create the connection in the pipeline account ${pipeline.account} (in any region: connections are global) and ${configFixHint(reader.childPath('connectionArn'))}`;
  if (account !== pipeline.account) {
    reader.problem(
      'connectionArn',
      `must be a connection of the pipeline account ${pipeline.account} (the pipeline's source action uses it with the pipeline's own role, and a connection cannot be shared with another account), got one of account ${account}: '${arn}'; ${fix}`,
    );
  } else if (partition && arnPartition !== partition) {
    reader.problem(
      'connectionArn',
      `must be in the pipeline's partition '${partition}', got '${arnPartition}': '${arn}'; ${fix}`,
    );
  }
}

/**
 * A new VPC (Clair's, unless `network.vpcId` names one, and the sample app's) needs the region's
 * zones: from the config, or looked up. When synth can do neither, say so here instead of CDK's
 * "Need to perform AWS calls for account …, but no credentials have been configured".
 */
export function checkZonesCanBeLearnt(
  reader: ObjectReader,
  env: EnvironmentConfig,
  canLookUp?: (account: string, region: string) => boolean,
): void {
  const newVpc = !env.network.vpcId || env.sampleApp.enabled;
  const placed = RULES.account.pattern.test(env.account) && RULES.region.pattern.test(env.region);
  if (env.availabilityZones || !newVpc || !placed || !canLookUp || canLookUp(env.account, env.region)) return;
  const path = reader.childPath('availabilityZones');
  reader.problem(
    'availabilityZones',
    `must be set: synth has no AWS credentials to look up the zones of ${env.region} in account ${env.account}, and the context (cdk.context.json) does not hold them; ${listFixHint(path, [`${env.region}a`, `${env.region}b`])}; or run synth once with credentials for that account and commit the cdk.context.json it writes`,
  );
}
