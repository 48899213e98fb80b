import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/config';

/** Properties of an {@link EnvironmentStack}. */
export interface EnvironmentStackProps extends StackProps {
  /** The environment this stack belongs to. */
  readonly environment: EnvironmentConfig;
}

/**
 * A stack of one environment whose availability zones come from its config when it names them:
 * CDK then looks nothing up in the account (a VPC checks its zones against the stack's), so
 * synth runs offline for any account. Without them, CDK looks the zones up as usual.
 */
export abstract class EnvironmentStack extends Stack {
  private readonly configuredZones?: string[];

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id, props);
    this.configuredZones = props.environment.availabilityZones;
  }

  /** The environment's configured zones, or those CDK looks up. */
  override get availabilityZones(): string[] {
    return this.configuredZones ?? super.availabilityZones;
  }
}
