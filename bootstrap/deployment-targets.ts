import { AccountRegion, PipelineConfig } from '../config/config';
import { PIPELINE_STACK_NAME, stageId, supportStackName } from '../pipeline/stack-names';

/** One account/region pair that CloudFormation deploys to, and what it deploys there. */
export interface DeploymentTarget extends AccountRegion {
  /** The CloudFormation stacks (or stage prefixes, e.g. `Clair-Dev-*`) deployed here, in order. */
  readonly deploys: string[];
  /** Whether this is the pipeline's own account. */
  readonly pipelineAccount: boolean;
}

/**
 * Every account/region pair the assembly deploys to, each once, in the order of a first
 * deployment: the pipeline stack; the pipeline account in each other region an environment uses
 * (CodePipeline's cross-region support stack: the replication bucket and key of that region); then
 * the environments in promotion order (their Clair and sample-app stages). Each pair needs one
 * `cdk bootstrap`; an environment sharing the pipeline's pair shares its bootstrap.
 */
export function deploymentTargets(config: PipelineConfig): DeploymentTarget[] {
  const targets = new Map<string, { account: string; region: string; deploys: string[] }>();
  const add = (account: string, region: string, what: string) => {
    const key = `${account}/${region}`;
    const target = targets.get(key) ?? { account, region, deploys: [] };
    target.deploys.push(what);
    targets.set(key, target);
  };
  const { account: pipelineAccount, region: pipelineRegion } = config.pipeline;
  add(pipelineAccount, pipelineRegion, PIPELINE_STACK_NAME);
  for (const region of new Set(config.environments.map((environment) => environment.region))) {
    if (region !== pipelineRegion) add(pipelineAccount, region, supportStackName(region));
  }
  for (const { name, account, region, sampleApp } of config.environments) {
    const id = stageId(name);
    add(account, region, `Clair-${id}-*`);
    if (sampleApp.enabled) add(account, region, `SampleApp-${id}-*`);
  }
  return [...targets.values()].map((target) => ({ ...target, pipelineAccount: target.account === pipelineAccount }));
}
