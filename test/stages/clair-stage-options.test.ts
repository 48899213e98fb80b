import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { APP_PROPS } from '../../pipeline/app-props';
import { parseConfig } from '../../config/config';
import { ClairStage } from '../../stages/clair/clair-stage';
import { gateCallOutcomes, listenerViolations } from '../helpers/clair-api-matrix';
import { stackTemplate, ungatedAssemblyDir } from '../helpers/default-assembly';
import { defaultContext, defaultRawConfig } from '../helpers/default-config';
import { gateWithCachedGuard } from '../helpers/gates';
import { clairOptions } from '../helpers/shape-fixtures';

// A prod Clair stage with every optional setting: TLS, consumers, no endpoints (clairOptions, an
// app synthesized once per run without the gates).
const environment = parseConfig(clairOptions()).environments[1];
const options = ungatedAssemblyDir('clairOptions');
const service = Template.fromJSON(stackTemplate(options, 'ClairPipeline/Clair-Prod/Service'));
const data = Template.fromJSON(stackTemplate(options, 'ClairPipeline/Clair-Prod/Data'));

describe('a Clair stage with every option set', () => {
  test('serves HTTPS on 6060 with the certificate and a current TLS policy', () => {
    service.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 6060,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: environment.clair.certificateArn }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
  });

  test("forwards only the gate's calls over HTTPS too; every other method and path gets the fixed 403", () => {
    expect(listenerViolations(service.toJSON())).toEqual([]);
    expect(new Set(Object.values(gateCallOutcomes(service.toJSON())))).toEqual(new Set(['forward']));
  });

  test('gives klar an https URL on the certificate host name with an explicit port', () => {
    expect(service.toJSON().Outputs.ClairUrl.Value).toBe('https://clair.prod.example.com:6060');
  });

  test('admits the configured consumers on the API port only', () => {
    const ingress = [
      ...Object.values(service.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties),
      ...Object.values(service.findResources('AWS::EC2::SecurityGroup')).flatMap(
        (g) => g.Properties.SecurityGroupIngress ?? [],
      ),
    ];
    expect(ingress).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ CidrIp: '10.20.0.0/16', FromPort: 6060, ToPort: 6060 }),
        expect.objectContaining({ SourceSecurityGroupId: 'sg-0123456789abcdef0', FromPort: 6060, ToPort: 6060 }),
      ]),
    );
  });

  test("lets the configured teams' accounts invoke the scanner, and the scanner pull their repository", () => {
    const role = Object.values(
      service.findResources('AWS::IAM::Role', { Properties: { RoleName: 'clair-scanner-invoker-eu-west-1' } }),
    )[0];
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal.AWS.sort()).toEqual([
      'arn:aws:iam::111111111111:root',
      'arn:aws:iam::444444444444:root',
    ]);
    const pulls = Object.values(service.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((statement: any) => [statement.Action].flat().includes('ecr:BatchGetImage'));
    expect(JSON.stringify(pulls)).toContain('repository/team-a/web');
    expect(JSON.stringify(pulls)).toContain('repository/cdk-hnb659fds-container-assets-333333333333-eu-west-1');
  });

  test('creates no interface endpoints when they are turned off', () => {
    data.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });
});

describe('a Clair stage in an existing VPC', () => {
  const existing = defaultRawConfig();
  existing.environments.dev.network = { vpcId: 'vpc-0123456789abcdef0' };
  const devEnvironment = parseConfig(existing).environments[0];
  const existingApp = new App({ ...APP_PROPS, context: defaultContext() });
  gateWithCachedGuard(existingApp);
  const existingStage = new ClairStage(existingApp, 'Clair-Dev', {
    environment: devEnvironment,
    pipelineAccount: '111111111111',
  });
  const assembly = existingApp.synth();

  test('creates no VPC and looks the configured one up by id', () => {
    const dataTemplate = Template.fromStack(existingStage.node.findChild('Data') as any);
    dataTemplate.resourceCountIs('AWS::EC2::VPC', 0);
    dataTemplate.resourceCountIs('AWS::EC2::FlowLog', 1);
    const lookups = assembly.manifest.missing ?? [];
    expect(lookups).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          provider: 'vpc-provider',
          props: expect.objectContaining({ account: '222222222222', filter: { 'vpc-id': 'vpc-0123456789abcdef0' } }),
        }),
      ]),
    );
  });
});
