import { Construct } from 'constructs';
import { EnvironmentStage, EnvironmentStageProps } from '../../common/environment-stage';
import { ClairDataStack } from './data-stack';
import { ClairServiceStack, ScannerOutputs } from './service-stack';

/** Properties of {@link ClairStage}. */
export interface ClairStageProps extends EnvironmentStageProps {
  /** The pipeline (tooling) account; it (and the environment's scan.invokerAccounts) may invoke the scanner. */
  readonly pipelineAccount: string;
}

/**
 * A private Clair scanning service in one account: VPC and database (stateful stack), Fargate
 * service, internal load balancer and the klar scanner (stateless stack).
 */
export class ClairStage extends EnvironmentStage {
  /** Clair's and the scanner's outputs, for envFromCfnOutputs. */
  public readonly outputs: ScannerOutputs;

  constructor(scope: Construct, id: string, props: ClairStageProps) {
    super(scope, id, props);
    const { environment } = props;
    const data = new ClairDataStack(this, 'Data', { environment });
    const service = new ClairServiceStack(this, 'Service', {
      environment,
      vpc: data.vpc,
      database: data.database.instance,
      databaseSecret: data.database.secret,
      databaseSecurityGroup: data.database.securityGroup,
      pipelineAccount: props.pipelineAccount,
    });
    this.outputs = service.outputs;
  }
}
