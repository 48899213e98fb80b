import { GATE_VARIABLES, SCAN_CONTRACT_VERSION } from '@clair-pipeline/scan';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { defaultTemplate } from '../helpers/default-assembly';

const ENVIRONMENTS = [
  {
    env: 'Dev',
    account: '222222222222',
    multiAz: false,
    deletionProtection: false,
    deletionPolicy: 'Delete',
    minTasks: 1,
    maxTasks: 2,
    retention: 30,
    endpoints: false,
  },
  {
    env: 'Prod',
    account: '333333333333',
    multiAz: true,
    deletionProtection: true,
    deletionPolicy: 'Snapshot',
    minTasks: 2,
    maxTasks: 4,
    retention: 365,
    endpoints: true,
  },
];

/** The one resource of a type in a template (fails if there are several). */
function only(template: Template, type: string): any {
  const resources = Object.values(template.findResources(type));
  expect(resources).toHaveLength(1);
  return resources[0];
}

/** Logical ids of the resources of a type whose id starts with a prefix. */
function idOf(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe.each(ENVIRONMENTS)('Clair-$env', (expected) => {
  const data = defaultTemplate(`ClairPipeline/Clair-${expected.env}/Data`);
  const service = defaultTemplate(`ClairPipeline/Clair-${expected.env}/Service`);
  const all = [data, service];

  describe('network', () => {
    test('has a two-AZ VPC with private-with-egress, isolated and ingress subnets, and flow logs', () => {
      const subnets = Object.values(data.findResources('AWS::EC2::Subnet'));
      const tiers = subnets.map((s) => s.Properties.Tags.find((t: any) => t.Key === 'aws-cdk:subnet-name').Value);
      expect(tiers.sort()).toEqual(['Application', 'Application', 'Database', 'Database', 'Ingress', 'Ingress']);
      data.hasResourceProperties('AWS::EC2::FlowLog', {
        ResourceType: 'VPC',
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
      });
    });

    test('has endpoints for S3, ECR, Logs and Secrets Manager where its profile wants them', () => {
      const services = Object.values(data.findResources('AWS::EC2::VPCEndpoint')).map((e) =>
        JSON.stringify(e.Properties.ServiceName),
      );
      const wanted = ['.s3', '.ecr.api', '.ecr.dkr', '.logs', '.secretsmanager'];
      expect(wanted.filter((name) => services.some((s) => s.includes(name)))).toEqual(expected.endpoints ? wanted : []);
    });

    test('admits nothing from 0.0.0.0/0 anywhere', () => {
      const rules = all.flatMap((template) => [
        ...Object.values(template.findResources('AWS::EC2::SecurityGroup')).flatMap(
          (g) => g.Properties.SecurityGroupIngress ?? [],
        ),
        ...Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties),
      ]);
      expect(rules.length).toBeGreaterThanOrEqual(3);
      for (const rule of rules) {
        expect(rule.CidrIp).not.toBe('0.0.0.0/0');
        expect(rule.CidrIpv6).not.toBe('::/0');
      }
    });
  });

  describe('database', () => {
    const instance = only(data, 'AWS::RDS::DBInstance');

    test('is encrypted PostgreSQL 16 (major version, minor upgrades automatic) with md5 passwords and forced SSL', () => {
      expect(instance.Properties).toMatchObject({
        Engine: 'postgres',
        StorageEncrypted: true,
        PubliclyAccessible: false,
      });
      expect(instance.Properties.EngineVersion).toBe('16');
      expect(instance.Properties.AutoMinorVersionUpgrade).toBe(true);
      expect(instance.Properties.KmsKeyId).toBeDefined();
      data.hasResourceProperties('AWS::RDS::DBParameterGroup', {
        Family: 'postgres16',
        Parameters: { password_encryption: 'md5', 'rds.force_ssl': '1' },
      });
    });

    test('has generated credentials in Secrets Manager, never a literal password', () => {
      expect(JSON.stringify(instance.Properties.MasterUserPassword)).toContain('resolve:secretsmanager');
      data.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }),
      });
    });

    test('follows the environment config for Multi-AZ, deletion protection, backups and removal', () => {
      expect(instance.Properties.MultiAZ).toBe(expected.multiAz);
      expect(instance.Properties.DeletionProtection).toBe(expected.deletionProtection);
      expect(instance.Properties.BackupRetentionPeriod).toBeGreaterThanOrEqual(7);
      expect(instance.DeletionPolicy).toBe(expected.deletionPolicy);
    });

    test('lives in the isolated subnets only', () => {
      const subnetGroup = only(data, 'AWS::RDS::DBSubnetGroup');
      const refs = subnetGroup.Properties.SubnetIds.map((s: any) => s.Ref);
      expect(refs).toHaveLength(2);
      for (const ref of refs) expect(ref).toMatch(/DatabaseSubnet/);
    });

    test('admits only the Clair tasks on 5432', () => {
      const group = Object.values(data.findResources('AWS::EC2::SecurityGroup')).find((g) =>
        /Clair database/.test(g.Properties.GroupDescription),
      );
      expect(group!.Properties.SecurityGroupIngress).toBeUndefined();
      const ingress = Object.values(service.findResources('AWS::EC2::SecurityGroupIngress')).filter((i) =>
        JSON.stringify(i.Properties.GroupId).includes('DatabaseSecurityGroup'),
      );
      expect(ingress).toHaveLength(1);
      expect(ingress[0].Properties).toMatchObject({
        IpProtocol: 'tcp',
        FromPort: 5432,
        ToPort: 5432,
        SourceSecurityGroupId: {
          'Fn::GetAtt': [idOf(service, 'AWS::EC2::SecurityGroup', 'ClairTaskSecurityGroup'), 'GroupId'],
        },
      });
    });
  });

  describe('service', () => {
    const taskDefinition = only(service, 'AWS::ECS::TaskDefinition').Properties;
    const container = taskDefinition.ContainerDefinitions[0];

    test('passes credentials and the pagination key only as ECS secrets', () => {
      expect(container.Secrets.map((s: any) => s.Name).sort()).toEqual([
        'CLAIR_PAGINATION_KEY',
        'DB_PASSWORD',
        'DB_USER',
      ]);
      const environment = Object.fromEntries(container.Environment.map((e: any) => [e.Name, e.Value]));
      expect(Object.keys(environment).sort()).toEqual([
        'CLAIR_LOG_LEVEL',
        'CLAIR_REQUIRE_PAGINATION_KEY',
        'CLAIR_UPDATER_INTERVAL',
        'DB_HOST',
        'DB_NAME',
        'DB_PORT',
        'DB_SSLMODE',
      ]);
      expect(environment).toMatchObject({
        DB_SSLMODE: 'verify-full',
        DB_NAME: 'clair',
        CLAIR_REQUIRE_PAGINATION_KEY: 'true',
      });
      expect(JSON.stringify(service.toJSON())).not.toMatch(/resolve:secretsmanager/);
    });

    test('runs read-only as a non-root user with writable /tmp and config volumes', () => {
      expect(container).toMatchObject({ ReadonlyRootFilesystem: true, User: '10001:10001' });
      expect(container.MountPoints.map((m: any) => m.ContainerPath).sort()).toEqual(['/etc/clair', '/tmp']);
    });

    test('logs to an encrypted log group with the configured retention', () => {
      expect(container.LogConfiguration.LogDriver).toBe('awslogs');
      const logGroups = Object.values(service.findResources('AWS::Logs::LogGroup'));
      for (const group of logGroups) {
        expect(group.Properties.KmsKeyId).toBeDefined();
        expect(group.Properties.RetentionInDays).toBe(expected.retention);
      }
    });

    test('deploys with a circuit breaker, a long health-check grace and autoscaling from config', () => {
      service.hasResourceProperties('AWS::ECS::Service', {
        DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
        HealthCheckGracePeriodSeconds: 600,
        DesiredCount: expected.minTasks,
        NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
      });
      service.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        MinCapacity: expected.minTasks,
        MaxCapacity: expected.maxTasks,
      });
      service.hasResourceProperties('AWS::ECS::Cluster', {
        ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
      });
    });

    test('runs the tasks in the private subnets', () => {
      const subnets = only(service, 'AWS::ECS::Service').Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets;
      for (const subnet of subnets) expect(JSON.stringify(subnet)).toMatch(/ApplicationSubnet/);
    });

    test('tasks admit only the load balancer', () => {
      const taskGroup = idOf(service, 'AWS::EC2::SecurityGroup', 'ClairTaskSecurityGroup');
      const albGroup = idOf(service, 'AWS::EC2::SecurityGroup', 'ClairLoadBalancerSecurityGroup');
      const ingress = Object.values(service.findResources('AWS::EC2::SecurityGroupIngress')).filter(
        (i) => i.Properties.GroupId['Fn::GetAtt']?.[0] === taskGroup,
      );
      expect(ingress.map((i) => i.Properties.FromPort).sort()).toEqual([6060, 6061]);
      for (const rule of ingress)
        expect(rule.Properties.SourceSecurityGroupId).toEqual({ 'Fn::GetAtt': [albGroup, 'GroupId'] });
    });
  });

  describe('load balancer', () => {
    const loadBalancer = only(service, 'AWS::ElasticLoadBalancingV2::LoadBalancer').Properties;
    const attributes = Object.fromEntries(loadBalancer.LoadBalancerAttributes.map((a: any) => [a.Key, a.Value]));

    test('is internal, outlasts a long layer analysis, and writes access logs', () => {
      expect(loadBalancer.Scheme).toBe('internal');
      expect(Number(attributes['idle_timeout.timeout_seconds'])).toBeGreaterThan(900);
      expect(attributes['access_logs.s3.enabled']).toBe('true');
      expect(attributes['routing.http.drop_invalid_header_fields.enabled']).toBe('true');
      expect(attributes['deletion_protection.enabled']).toBe(String(expected.deletionProtection));
    });

    test("listens on Clair's API port and checks health on 6061 /health", () => {
      service.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 6060, Protocol: 'HTTP' });
      service.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        Port: 6060,
        HealthCheckPort: '6061',
        HealthCheckPath: '/health',
        Matcher: { HttpCode: '200' },
      });
    });

    test('admits only the scanner and the rescan', () => {
      const albGroup = idOf(service, 'AWS::EC2::SecurityGroup', 'ClairLoadBalancerSecurityGroup');
      const group = service.toJSON().Resources[albGroup].Properties;
      expect(group.SecurityGroupIngress).toBeUndefined();
      const ingress = Object.values(service.findResources('AWS::EC2::SecurityGroupIngress')).filter(
        (i) => i.Properties.GroupId['Fn::GetAtt']?.[0] === albGroup,
      );
      expect(ingress.map((i) => i.Properties)).toEqual(
        ['ScannerSecurityGroup', 'RescanSecurityGroup'].map((prefix) =>
          expect.objectContaining({
            FromPort: 6060,
            SourceSecurityGroupId: { 'Fn::GetAtt': [idOf(service, 'AWS::EC2::SecurityGroup', prefix), 'GroupId'] },
          }),
        ),
      );
    });

    test('the Clair URL output has a scheme, the load balancer host and an explicit port', () => {
      const url = service.toJSON().Outputs.ClairUrl.Value;
      expect(url).toEqual({
        'Fn::Join': [
          '',
          [
            'http://',
            {
              'Fn::GetAtt': [
                idOf(service, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'ClairLoadBalancer'),
                'DNSName',
              ],
            },
            ':6060',
          ],
        ],
      });
    });
  });

  describe('scanner', () => {
    const [project] = Object.values(
      service.findResources('AWS::CodeBuild::Project', { Properties: { Name: 'clair-scanner' } }),
    ).map((r) => r.Properties);
    const environment = Object.fromEntries(project.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));

    test('runs unprivileged in the Clair VPC, in its own security group', () => {
      expect(project.Environment.PrivilegedMode).toBe(false);
      expect(project.VpcConfig.SecurityGroupIds).toEqual([
        { 'Fn::GetAtt': [idOf(service, 'AWS::EC2::SecurityGroup', 'ScannerSecurityGroup'), 'GroupId'] },
      ]);
      for (const subnet of project.VpcConfig.Subnets) expect(JSON.stringify(subnet)).toMatch(/ApplicationSubnet/);
      expect(project.Name).toBe('clair-scanner');
    });

    test('points klar at this Clair and the canary, with the environment policy as defaults', () => {
      expect(environment.CLAIR_ADDR).toEqual(service.toJSON().Outputs.ClairUrl.Value);
      expect(JSON.stringify(environment.CANARY_IMAGE_URI)).toContain(`container-assets-${expected.account}-eu-west-1`);
      expect(environment).toMatchObject({
        SEVERITY: 'High',
        MAX_VULNERABILITIES: '0',
        COUNT_UNKNOWN: 'true',
        REQUIRE_COVERAGE: 'true',
        READINESS_TIMEOUT_SECONDS: '3600',
        // The build's timeout (readiness + 30 min) less five minutes for the verdict and reports.
        SCAN_DEADLINE_SECONDS: String(3600 + 25 * 60),
      });
      // scan.platforms is empty by default: every platform of an index is scanned.
      expect(environment).not.toHaveProperty('PLATFORMS');
    });

    test("reads only its own account's ECR and those of the accounts it admits", () => {
      const registries = JSON.stringify(environment.ALLOWED_REGISTRIES);
      expect(registries).toContain(`${expected.account}.dkr.ecr.eu-west-1.`);
      expect(registries).toContain('AWS::URLSuffix');
      // The canary is published to the same registry.
      expect(JSON.stringify(environment.CANARY_IMAGE_URI)).toContain(`${expected.account}.dkr.ecr.eu-west-1.`);
      expect(GATE_VARIABLES).not.toContain('ALLOWED_REGISTRIES');
      expect(GATE_VARIABLES).not.toContain('SCAN_DEADLINE_SECONDS');
    });

    test('publishes the contract version it speaks, which scan steps check before they start it', () => {
      expect(environment.CLAIR_SCAN_CONTRACT).toBe(String(SCAN_CONTRACT_VERSION));
    });

    test('publishes JUnit reports to its report group', () => {
      const buildSpec = JSON.parse(
        project.Source.BuildSpec['Fn::Join'] ? JSON.stringify(project.Source.BuildSpec) : project.Source.BuildSpec,
      );
      expect(JSON.stringify(buildSpec)).toContain('scan-image');
      service.resourceCountIs('AWS::CodeBuild::ReportGroup', 1);
    });

    test("may pull only from this account's CDK asset repository", () => {
      const statements = Object.values(service.findResources('AWS::IAM::Policy'))
        .flatMap((p) => p.Properties.PolicyDocument.Statement)
        .filter((s: any) => [s.Action].flat().includes('ecr:BatchGetImage'));
      const resources = statements.flatMap((s: any) => [s.Resource].flat()).map((r: any) => JSON.stringify(r));
      expect(
        resources.some((r) => r.includes(`repository/cdk-hnb659fds-container-assets-${expected.account}-eu-west-1`)),
      ).toBe(true);
      expect(resources.every((r) => !r.includes('"*"') && r.includes('repository/'))).toBe(true);
    });

    // What the invoker role admits is proven by evaluation in test/access-paths/scanner-invoker.test.ts.
    test("the invoker role trusts only the pipeline account's scan roles, by name prefix", () => {
      const roleId = idOf(service, 'AWS::IAM::Role', 'ScannerInvokerRole');
      const role = service.toJSON().Resources[roleId].Properties;
      expect(role.RoleName).toBe('clair-scanner-invoker-eu-west-1');
      expect(role.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Condition: {
            ArnLike: {
              'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/clair-scan-*'],
            },
          },
        },
      ]);
    });

    test('exports the project name and invoker role for envFromCfnOutputs', () => {
      const outputs = service.toJSON().Outputs;
      expect(outputs.ScannerProjectName.Value).toEqual({
        Ref: idOf(service, 'AWS::CodeBuild::Project', 'ScannerProject'),
      });
      expect(outputs.ScannerInvokerRoleArn.Value).toEqual({
        'Fn::GetAtt': [idOf(service, 'AWS::IAM::Role', 'ScannerInvokerRole'), 'Arn'],
      });
    });
  });
});
