import * as fs from 'fs';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { defaultAssemblyDir, defaultTemplate } from '../helpers/default-assembly';
import { REPO_ROOT } from '../helpers/run-script';

const template = defaultTemplate('ClairPipeline');
const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
const stages: any[] = pipeline.Stages;
const stage = (name: string) => stages.find((s) => s.Name === name);
const action = (stageName: string, actionName: string) =>
  stage(stageName).Actions.find((a: any) => a.Name === actionName);

/** The CodeBuild project (properties) behind an action of the pipeline. */
function projectOf(stageName: string, actionName: string): any {
  return template.toJSON().Resources[action(stageName, actionName).Configuration.ProjectName.Ref].Properties;
}

/** The buildspec of an asset-publishing action: CDK Pipelines writes long ones to a file of the assembly. */
function assetBuildSpec(actionName: string): any {
  const buildSpec: string = projectOf('Assets', actionName).Source.BuildSpec;
  const file = path.join(defaultAssemblyDir(), buildSpec);
  return JSON.parse(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : buildSpec);
}

/** Environment variables of a CodeBuild project as a plain object. */
function envOf(project: any): Record<string, string> {
  return Object.fromEntries(project.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
}

describe('the pipeline', () => {
  test('is a self-mutating CodePipeline V2 that runs the stages in the order of the design', () => {
    expect(pipeline.PipelineType).toBe('V2');
    expect(stages.map((s) => s.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Assets',
      'Clair-Dev',
      'SampleApp-Dev',
      'Approve-Prod',
      'Clair-Prod',
      'SampleApp-Prod',
    ]);
    expect(stage('UpdatePipeline').Actions[0].Name).toBe('SelfMutate');
  });

  test('takes its source from the configured CodeConnections repository and branch', () => {
    expect(stage('Source').Actions[0]).toMatchObject({
      ActionTypeId: { Provider: 'CodeStarSourceConnection' },
      Configuration: {
        ConnectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
        FullRepositoryId: 'example-org/clair-pipeline',
        BranchName: 'main',
        DetectChanges: true,
      },
    });
  });

  test('runs the linters and the full test command before synthesizing, so a red test or gate stops it before self-mutation', () => {
    const buildSpec = JSON.parse(projectOf('Build', 'Synth').Source.BuildSpec);
    expect(buildSpec.phases.build.commands).toEqual(['npm ci', 'npm run lint', 'npm test', 'npx cdk synth']);
    expect(buildSpec.phases.install['runtime-versions']).toEqual({ nodejs: 20 });
  });

  test('runs every CodeBuild step on the pinned standard image, with a timeout and logs', () => {
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project')).map((p) => p.Properties);
    expect(projects.length).toBeGreaterThan(8);
    for (const project of projects) {
      expect(project.Environment.Image).toBe('aws/codebuild/standard:7.0');
      expect(project.TimeoutInMinutes).toBeGreaterThan(0);
    }
  });

  test('publishes images without provenance attestations, so they stay Docker schema-2 for klar', () => {
    expect(envOf(projectOf('Assets', 'DockerAssets'))).toMatchObject({ BUILDX_NO_DEFAULT_ATTESTATIONS: '1' });
  });

  test("publishes assets in one job per asset type, within a new account's CodeBuild concurrency", () => {
    expect(
      stage('Assets')
        .Actions.map((a: any) => a.Name)
        .sort(),
    ).toEqual(['DockerAssets', 'FileAssets']);
    const publishes = assetBuildSpec('DockerAssets').phases.build.commands.filter((c: string) =>
      c.startsWith('cdk-assets '),
    );
    // The Clair, scanner, canary and sample-app images, for dev and for prod.
    expect(publishes).toHaveLength(8);
  });

  test('installs the cdk-assets version locked in package-lock.json in every asset job', () => {
    const locked = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')).packages[
      'node_modules/cdk-assets'
    ].version;
    expect(locked).toMatch(/^\d+\.\d+\.\d+$/);
    for (const name of ['DockerAssets', 'FileAssets']) {
      expect(assetBuildSpec(name).phases.install.commands).toEqual([`npm install -g cdk-assets@${locked}`]);
    }
  });

  test('encrypts artifacts with a rotating cross-account KMS key and hardens the bucket', () => {
    const artifactKey = Object.entries(template.findResources('AWS::KMS::Key')).find(([id]) =>
      id.startsWith('PipelineArtifactsBucketEncryptionKey'),
    )![1].Properties;
    expect(artifactKey.EnableKeyRotation).toBe(true);
    const keyPolicy = JSON.stringify(artifactKey.KeyPolicy);
    for (const account of ['222222222222', '333333333333'])
      expect(keyPolicy).toContain(`:iam::${account}:role/cdk-hnb659fds-deploy-role`);
    expect(artifactKey.KeyPolicy.Statement).toEqual(
      expect.arrayContaining([expect.objectContaining({ Sid: 'DenyGrantsExceptForAwsServices', Effect: 'Deny' })]),
    );
    const artifactBuckets = template.findResources('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
        },
      },
    });
    const bucket = Object.values(artifactBuckets)[0].Properties;
    expect(bucket).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { LogFilePrefix: 'artifacts/' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('stops for a notified manual approval before prod, after the permission-broadening checks', () => {
    const approve = stage('Approve-Prod').Actions;
    const manual = approve.find((a: any) => a.Name === 'PromoteTo-Prod');
    expect(manual.ActionTypeId).toMatchObject({ Category: 'Approval', Provider: 'Manual' });
    expect(manual.Configuration.NotificationArn).toEqual({ Ref: expect.stringMatching(/^ApprovalTopic/) });
    const checks = approve.filter((a: any) => /^CheckPermissions-.*\.Check$/.test(a.Name));
    expect(checks.map((a: any) => a.Name).sort()).toEqual([
      'CheckPermissions-Clair-Prod.Check',
      'CheckPermissions-SampleApp-Prod.Check',
    ]);
    for (const check of approve.filter((a: any) => a !== manual)) {
      expect(manual.RunOrder).toBeGreaterThan(check.RunOrder);
    }
    expect(stage('Approve-Dev')).toBeUndefined();
  });

  test('notifies pipeline failures on an encrypted topic', () => {
    template.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      EventTypeIds: Match.arrayWith([
        'codepipeline-pipeline-pipeline-execution-failed',
        'codepipeline-pipeline-action-execution-failed',
      ]),
      Targets: [{ TargetType: 'SNS', TargetAddress: { Ref: Match.stringLikeRegexp('^FailureTopic') } }],
    });
    for (const topic of Object.values(template.findResources('AWS::SNS::Topic'))) {
      expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    }
  });
});

describe.each(['Dev', 'Prod'])('in %s', (env) => {
  const account = env === 'Dev' ? '222222222222' : '333333333333';

  test('the scan step runs first in the sample-app stage, before its deployment', () => {
    const actions = stage(`SampleApp-${env}`).Actions;
    const scan = actions.find((a: any) => a.Name === `ScanSampleApp-${env}`);
    const deploys = actions.filter((a: any) => a.ActionTypeId.Category === 'Deploy');
    expect(deploys.length).toBeGreaterThan(0);
    for (const deploy of deploys) expect(deploy.RunOrder).toBeGreaterThan(scan.RunOrder);
  });

  test("the scan step reads this environment's scanner outputs and scans the image the stage deploys", () => {
    const scan = action(`SampleApp-${env}`, `ScanSampleApp-${env}`);
    const namespace = action(`Clair-${env}`, 'Service.Deploy').Namespace;
    expect(namespace).toMatch(new RegExp(`^ClairPipelineClair${env}Service`));
    expect(JSON.parse(scan.Configuration.EnvironmentVariables)).toEqual([
      { name: 'SCANNER_PROJECT_NAME', type: 'PLAINTEXT', value: `#{${namespace}.ScannerProjectName}` },
      { name: 'INVOKER_ROLE_ARN', type: 'PLAINTEXT', value: `#{${namespace}.ScannerInvokerRoleArn}` },
    ]);
    const deployedImage = sampleAppImage(env);
    expect(envOf(projectOf(`SampleApp-${env}`, `ScanSampleApp-${env}`))).toMatchObject({
      IMAGE_URI: deployedImage,
      SCANNER_REGION: 'eu-west-1',
      SEVERITY: 'High',
      MAX_VULNERABILITIES: '0',
      COUNT_UNKNOWN: 'true',
      REQUIRE_COVERAGE: 'true',
    });
    expect(deployedImage).toMatch(
      new RegExp(
        `^${account}\\.dkr\\.ecr\\.eu-west-1\\.amazonaws\\.com/cdk-hnb659fds-container-assets-${account}-eu-west-1:[0-9a-f]{64}$`,
      ),
    );
  });

  test('the scan step waits longer than the remote scanner build may run, then stops it', () => {
    const scannerMinutes = defaultTemplate(`ClairPipeline/Clair-${env}/Service`).toJSON().Resources;
    const project: any = Object.values(scannerMinutes).find((r: any) => r.Type === 'AWS::CodeBuild::Project');
    const waitSeconds = Number(envOf(projectOf(`SampleApp-${env}`, `ScanSampleApp-${env}`)).SCAN_TIMEOUT_SECONDS);
    expect(waitSeconds).toBeGreaterThan(project.Properties.TimeoutInMinutes * 60);
    expect(projectOf(`SampleApp-${env}`, `ScanSampleApp-${env}`).TimeoutInMinutes * 60).toBeGreaterThan(waitSeconds);
  });

  test("the scan step may assume only that account's invoker role", () => {
    const project = projectOf(`SampleApp-${env}`, `ScanSampleApp-${env}`);
    const roleId = project.ServiceRole['Fn::GetAtt'][0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      p.Properties.Roles.some((r: any) => r.Ref === roleId),
    );
    const assumeStatements = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => s.Action === 'sts:AssumeRole');
    expect(assumeStatements).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:role/clair-scanner-invoker-eu-west-1`],
          ],
        },
      },
    ]);
  });

  test('the Clair stage ends with the readiness check, after Clair is deployed', () => {
    const actions = stage(`Clair-${env}`).Actions;
    const readiness = actions.find((a: any) => a.Name === `ClairReadiness-${env}`);
    for (const deploy of actions.filter((a: any) => a.ActionTypeId.Category === 'Deploy')) {
      expect(readiness.RunOrder).toBeGreaterThan(deploy.RunOrder);
    }
    expect(envOf(projectOf(`Clair-${env}`, `ClairReadiness-${env}`))).toMatchObject({ READINESS_ONLY: 'true' });
    expect(envOf(projectOf(`Clair-${env}`, `ClairReadiness-${env}`)).IMAGE_URI).toBeUndefined();
  });
});

/** The image URI the sample app's task definition runs, resolved to a string. */
function sampleAppImage(env: string): string {
  const app: Template = defaultTemplate(`ClairPipeline/SampleApp-${env}/App`);
  const taskDefinition = Object.values(app.findResources('AWS::ECS::TaskDefinition'))[0].Properties;
  return (taskDefinition.ContainerDefinitions[0].Image['Fn::Sub'] as string).replace(
    '${AWS::URLSuffix}',
    'amazonaws.com',
  );
}
