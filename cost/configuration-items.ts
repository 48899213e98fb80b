import { PipelineConfig } from '../config/config';
import { environmentItems } from './environment-items';
import { ItemGroup } from './items';
import { pipelineItems } from './pipeline-items';

/**
 * Every account and region the configuration puts resources in: the environments in promotion
 * order (each with its sample app where `sampleApp.enabled`), then the pipeline account.
 */
export function configurationItems(config: PipelineConfig): ItemGroup[] {
  return [
    ...config.environments.map((env) => environmentItems(env, { sampleApp: env.sampleApp.enabled })),
    ...pipelineItems(config),
  ];
}
