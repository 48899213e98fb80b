import { defaultTemplate } from '../helpers/default-assembly';

describe.each([
  { env: 'Dev', publicIp: true },
  { env: 'Prod', publicIp: false },
])('SampleApp-$env', ({ env, publicIp }) => {
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

  test('reaches ECR through a NAT gateway (production) or its own public address (lean), rolling back failed deployments', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: publicIp ? 'ENABLED' : 'DISABLED' } },
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
    });
    template.resourceCountIs('AWS::EC2::NatGateway', publicIp ? 0 : 1);
  });

  test('admits no inbound traffic at all', () => {
    for (const group of Object.values(template.findResources('AWS::EC2::SecurityGroup'))) {
      expect(group.Properties.SecurityGroupIngress ?? []).toEqual([]);
    }
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });
});
