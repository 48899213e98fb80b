/**
 * Another team's pipeline may use a scanner: a minimal CDK Pipelines app in an account listed in
 * the environment's `scan.invokerAccounts` gates a stage with ClairScanStep. The evaluator admits
 * its scan role, and no other role of its account, to the scanner's invoker role.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnWaitConditionHandle, Stack, Stage } from 'aws-cdk-lib';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { ClairScanRole, ClairScanStep } from '@clair-pipeline/scan';
import { APP_PROPS } from '../../pipeline/app-props';
import { assemblyStacks, CloudModel, ModelResource } from './cloud-model';
import { decide, roleCaller, withAdminGrant } from './evaluate';
import { scannerHost, scanPolicy } from './scanner-host';

const SCANNER = { account: '222222222222', region: 'eu-west-1' };
const TEAM_ACCOUNT = '444444444444';

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'other-team-pipeline-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** The team's side: its own pipeline, whose one stage is gated on the scanner. */
function teamPipeline(app: App): void {
  const team = new Stack(app, 'TeamPipeline', { env: { account: TEAM_ACCOUNT, region: SCANNER.region } });
  const pipeline = new pipelines.CodePipeline(team, 'Pipeline', {
    synth: new pipelines.ShellStep('Synth', {
      input: pipelines.CodePipelineSource.connection('team/app', 'main', {
        connectionArn: `arn:aws:codeconnections:${SCANNER.region}:${TEAM_ACCOUNT}:connection/00000000-0000-0000-0000-000000000000`,
      }),
      commands: ['npx cdk synth'],
    }),
  });
  const stage = new Stage(app, 'TeamApp', { env: { account: TEAM_ACCOUNT, region: SCANNER.region } });
  new CfnWaitConditionHandle(new Stack(stage, 'App'), 'Nothing');
  pipeline.addStage(stage, {
    pre: [
      new ClairScanStep('ScanTeamApp', {
        scanner: SCANNER,
        role: new ClairScanRole(team, 'ScanRole'),
        imageUri: `${SCANNER.account}.dkr.ecr.${SCANNER.region}.amazonaws.com/team-app:1.0.0`,
      }),
    ],
  });
}

const app = new App({ ...APP_PROPS, outdir });
// The scanner's side: the scanner of the dev environment, with the team's account as an invoker.
scannerHost(app, 'ScannerHost', SCANNER, scanPolicy({ invokerAccounts: [TEAM_ACCOUNT] }));
teamPipeline(app);
const assembly = app.synth();
const model = new CloudModel(assemblyStacks(assembly, ['ScannerHost', 'TeamPipeline']));

const invoker = model
  .resources('AWS::IAM::Role', [model.stack('ScannerHost')])
  .find((role) => model.nameOf(role).startsWith('clair-scanner-invoker-'))!;
const teamRoles = model.resources('AWS::IAM::Role', [model.stack('TeamPipeline')]);
const scanRole = model.resourceByArn(
  model.resolve(
    model.stack('TeamPipeline'),
    model
      .resources('AWS::CodeBuild::Project', [model.stack('TeamPipeline')])
      .find((project) =>
        (project.props.Environment.EnvironmentVariables ?? []).some((v: any) => v.Name === 'SCANNER_REGION'),
      )!.props.ServiceRole,
  ),
);

function assume(role: ModelResource, admin: boolean) {
  const caller = roleCaller(model, role);
  return decide({
    caller: admin ? withAdminGrant(caller, 'sts:AssumeRole') : caller,
    action: 'sts:AssumeRole',
    resource: model.arnOf(invoker),
    resourceAccount: invoker.stack.account,
    resourcePolicy: model.resolve(invoker.stack, invoker.props.AssumeRolePolicyDocument),
  });
}

test("the team's scan step runs as its ClairScanRole, which may assume the scanner's invoker", async () => {
  expect(model.nameOf(scanRole)).toMatch(/^clair-scan-/);
  expect(await assume(scanRole, false)).toBe('Allowed');
});

test.each(teamRoles.filter((role) => role.logicalId !== scanRole.logicalId).map((r) => [r.logicalId, r] as const))(
  "rejects the team's %s, even with sts:AssumeRole on *",
  async (_id, role) => {
    expect(await assume(role, true)).not.toBe('Allowed');
  },
);

test('the team pipeline has other roles to reject', () => {
  expect(teamRoles.length).toBeGreaterThan(3);
});
