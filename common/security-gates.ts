import { Aspects, IPolicyValidationPlugin, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ControlTowerGuard } from './control-tower-guard';
import { GeneratedGrantAcknowledger } from './generated-grants';

/** One set of gate plugins per app: registered in many stages, each still runs once per synth. */
const pluginsByApp = new WeakMap<IConstruct, IPolicyValidationPlugin[]>();

/**
 * Gates synthesis of `stage` (an App or a Stage) on cdk-nag's AwsSolutions pack and on the AWS
 * Control Tower proactive controls (cfn-guard). Any unacknowledged finding fails synth.
 *
 * Call it in every Stage's constructor and on the App (for the pipeline stack): plugins are
 * per stage and are not inherited from the App's registration by a Stage used on its own, e.g. an
 * app team's pipeline. The same plugin instances are shared by every stage of one app, and CDK
 * runs each instance once over the union of its stacks, so gating many stages costs one run.
 * CDK's own scoped grant wildcards are acknowledged with evidence by GeneratedGrantAcknowledger.
 */
export function addSecurityGates(stage: Stage): void {
  const root = stage.node.root;
  let plugins = pluginsByApp.get(root);
  if (!plugins) {
    plugins = [new AwsSolutionsChecks(root), new ControlTowerGuard()];
    pluginsByApp.set(root, plugins);
  }
  Validations.of(stage).addPlugins(...plugins);
  Aspects.of(stage).add(new GeneratedGrantAcknowledger());
}

/**
 * Makes every addSecurityGates of `app` use `guard` (with its options) instead of a default
 * ControlTowerGuard; call it before the first. The tests give theirs a report cache; the CDK entry
 * point never calls it, so `cdk synth` runs every gate in full.
 */
export function useControlTowerGuard(app: IConstruct, guard: ControlTowerGuard): void {
  if (pluginsByApp.has(app)) throw new Error('useControlTowerGuard must come before the first addSecurityGates');
  pluginsByApp.set(app, [new AwsSolutionsChecks(app), guard]);
}
