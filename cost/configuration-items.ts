import { PipelineConfig } from '../config/config';
import { environmentItems } from './environment-items';
import { ItemGroup } from './items';
import { pipelineItems } from './pipeline-items';

/** What the cost model needs to know about a configuration beyond the configuration itself. */
export interface ConfigurationOptions {
  /**
   * Per environment name, whether it deploys the sample app. An environment not named here
   * deploys it (the default of the environments' sample-app switch). @default every environment
   */
  readonly sampleApps?: Record<string, boolean>;
}

/** Every account and region the configuration puts resources in: the environments in promotion order, then the pipeline account. */
export function configurationItems(config: PipelineConfig, options: ConfigurationOptions = {}): ItemGroup[] {
  return [
    ...config.environments.map((env) => environmentItems(env, { sampleApp: options.sampleApps?.[env.name] ?? true })),
    ...pipelineItems(config),
  ];
}
