import { Construct } from 'constructs';
import { EnvironmentStage, EnvironmentStageProps } from '../../common/environment-stage';
import { SampleAppStack } from './sample-app-stack';

/** The sample application in one account. The pipeline scans its image before deploying it. */
export class SampleAppStage extends EnvironmentStage {
  /** The exact image the stage deploys, for the scan step. */
  public readonly imageUri: string;

  constructor(scope: Construct, id: string, props: EnvironmentStageProps) {
    super(scope, id, props);
    this.imageUri = new SampleAppStack(this, 'App', { environment: props.environment }).imageUri;
  }
}
