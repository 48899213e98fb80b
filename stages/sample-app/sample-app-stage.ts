import { Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { addSecurityGates } from '../../common/security-gates';
import { EnvironmentConfig } from '../../pipeline/config';
import { SampleAppStack } from './sample-app-stack';

/** Properties of {@link SampleAppStage}. */
export interface SampleAppStageProps extends StageProps {
  /** The environment to deploy into; its account and region become the stage's. */
  readonly environment: EnvironmentConfig;
}

/** The sample application in one account. The pipeline scans its image before deploying it. */
export class SampleAppStage extends Stage {
  /** The exact image the stage deploys, for the scan step. */
  public readonly imageUri: string;

  constructor(scope: Construct, id: string, props: SampleAppStageProps) {
    const { environment } = props;
    super(scope, id, { ...props, env: { account: environment.account, region: environment.region } });
    addSecurityGates(this);
    this.imageUri = new SampleAppStack(this, 'App', { environment }).imageUri;
  }
}
