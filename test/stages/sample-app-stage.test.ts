import { defaultTemplate } from '../helpers/default-assembly';

describe.each(['Dev', 'Prod'])('SampleApp-%s', (env) => {
  const template = defaultTemplate(`ClairPipeline/SampleApp-${env}/App`);
  const taskDefinition = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0].Properties;
  const container = taskDefinition.ContainerDefinitions[0];

  test('runs the sample-app image asset on Fargate, read-only, as a non-root user', () => {
    expect(taskDefinition.RequiresCompatibilities).toEqual(['FARGATE']);
    expect(container).toMatchObject({
      ReadonlyRootFilesystem: true,
      User: '10001',
      PortMappings: [{ ContainerPort: 8080 }],
    });
    expect(container.Image['Fn::Sub']).toMatch(/container-assets-\d{12}-eu-west-1:[0-9a-f]{64}$/);
  });

  test('runs in private subnets without a public address, rolling back failed deployments', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
    });
  });
});
