import { Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { addSecurityGates } from '../../common/security-gates';
import { EnvironmentConfig } from '../../pipeline/config';
import { ClairDataStack } from './data-stack';
import { ClairServiceStack, ScannerOutputs } from './service-stack';

/** Properties of {@link ClairStage}. */
export interface ClairStageProps extends StageProps {
  /** The environment to deploy into; its account and region become the stage's. */
  readonly environment: EnvironmentConfig;
  /** The pipeline (tooling) account; it (and the environment's scan.invokerAccounts) may invoke the scanner. */
  readonly pipelineAccount: string;
}

/**
 * A private Clair scanning service in one account: VPC and database (stateful stack), Fargate
 * service, internal load balancer and the klar scanner (stateless stack). Gated by cdk-nag and cfn-guard on its own,
 * so an app team that deploys it from another pipeline gets the same gates.
 */
export class ClairStage extends Stage {
  /** Clair's and the scanner's outputs, for envFromCfnOutputs. */
  public readonly outputs: ScannerOutputs;

  constructor(scope: Construct, id: string, props: ClairStageProps) {
    const { environment } = props;
    super(scope, id, { ...props, env: { account: environment.account, region: environment.region } });
    addSecurityGates(this);
    const data = new ClairDataStack(this, 'Data', { environment });
    const service = new ClairServiceStack(this, 'Service', {
      environment,
      vpc: data.vpc,
      database: data.database,
      pipelineAccount: props.pipelineAccount,
    });
    this.outputs = service.outputs;
  }
}
