import { CrossStackReferences, ReferenceStrength, Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/config';
import { addSecurityGates } from './security-gates';

/** Properties of an {@link EnvironmentStage}. */
export interface EnvironmentStageProps extends StageProps {
  /** The environment to deploy into; its account and region become the stage's. */
  readonly environment: EnvironmentConfig;
}

/**
 * A Stage deployed into one environment's account and region, gated by cdk-nag and the Control
 * Tower rules on its own, so an app team that deploys it from another pipeline gets the same gates.
 * References between its stacks are strong (exports), whatever the app's default.
 */
export abstract class EnvironmentStage extends Stage {
  constructor(scope: Construct, id: string, props: EnvironmentStageProps) {
    const { environment } = props;
    super(scope, id, { ...props, env: { account: environment.account, region: environment.region } });
    // Its stacks share one account and region: references between them are exports and
    // Fn::ImportValue, which CloudFormation accepts everywhere. Weak references (the app's
    // default) nest Fn::GetStackOutput inside Fn::Join, which some regions refuse (aws/aws-cdk#37948).
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    addSecurityGates(this);
  }
}
