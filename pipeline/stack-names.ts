/**
 * The names the app gives its stacks and stages, shared by the app and the scripts that must
 * predict them without building it (`npm run deploy-plan`).
 */

/** The id of the pipeline stack, which is also its CloudFormation stack name. */
export const PIPELINE_STACK_NAME = 'ClairPipeline';

/**
 * An environment name as its stage ids carry it (`Clair-<Id>`, `SampleApp-<Id>`): the first
 * letter upper-cased. Names are lower-case, so distinct names give distinct ids.
 */
export function stageId(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The CloudFormation name CodePipeline gives its cross-region support stack in `region`. */
export function supportStackName(region: string): string {
  return `${PIPELINE_STACK_NAME}-support-${region}`;
}
