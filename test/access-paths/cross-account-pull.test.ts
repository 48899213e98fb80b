/**
 * Images in a team's own account are scanned in place. The scanner of an environment may pull from
 * the repositories of the accounts its `scan.pullAccounts` admits, and ECR lets it only where the
 * repository's policy grants its build role: the team's side is `grantScannerPull` for the
 * repositories of its app, and `clair-scan pull-policy` (merged into the bootstrap stack's policy,
 * then `aws ecr set-repository-policy`) for its CDK asset repository. Both are what
 * docs/other-teams.md shows.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  cdkAssetRepositoryName,
  grantScannerPull,
  scannerPullStatementJson,
  scannerRoleName,
} from '@clair-pipeline/scan';
import { main as clairScanCli } from '../../packages/clair-scan/src/cli';
import { App, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as YAML from 'yaml';
import { APP_PROPS } from '../../pipeline/app-props';
import { REPO_ROOT } from '../helpers/run-script';
import { assemblyStacks, CloudModel, ModelResource, ModelStack, PARTITION } from './cloud-model';
import { Caller, decide, roleCaller, withAdminGrant, withoutStatements } from './evaluate';
import { scannerHost, scanPolicy } from './scanner-host';

const REGION = 'eu-west-1';
/** The environment whose scanner admits the team. */
const DEV = { account: '222222222222', region: REGION };
/** Another environment: it admits the team too, but the team granted only dev's scanner. */
const PROD = { account: '333333333333', region: REGION };
const TEAM_ACCOUNT = '444444444444';
/** An account no environment admits, whose repository grants the scanner anyway. */
const STRANGER_ACCOUNT = '555555555555';
const PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cross-account-pull-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** A team's app with a repository granted to dev's scanner, and one not granted. */
function teamApp(app: App, id: string, account: string): void {
  const stack = new Stack(app, id, { env: { account, region: REGION } });
  grantScannerPull(new ecr.Repository(stack, 'Granted', { repositoryName: 'payments/granted' }), DEV);
  new ecr.Repository(stack, 'NotGranted', { repositoryName: 'payments/not-granted' });
}

const app = new App({ ...APP_PROPS, outdir });
const policy = scanPolicy({ invokerAccounts: [TEAM_ACCOUNT], pullAccounts: [TEAM_ACCOUNT] });
scannerHost(app, 'DevScanner', DEV, policy);
scannerHost(app, 'ProdScanner', PROD, policy);
teamApp(app, 'Team', TEAM_ACCOUNT);
teamApp(app, 'Stranger', STRANGER_ACCOUNT);
const assembly = app.synth();

/** The team's bootstrap stack, as `cdk bootstrap` deploys it (the CLI's own template). */
const bootstrapTemplate = YAML.parse(
  fs.readFileSync(path.join(REPO_ROOT, 'node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml'), 'utf8'),
);
const bootstrapStack: ModelStack = {
  displayPath: 'CDKToolkit',
  stackName: 'CDKToolkit',
  account: TEAM_ACCOUNT,
  region: REGION,
  template: {
    ...bootstrapTemplate,
    Parameters: { ...bootstrapTemplate.Parameters, Qualifier: { Default: 'hnb659fds' } },
  },
};

const model = new CloudModel([
  ...assemblyStacks(assembly, ['DevScanner', 'ProdScanner', 'Team', 'Stranger']),
  bootstrapStack,
]);

/** The role the scanner project of a stack runs as. */
function scannerRole(stackId: string): ModelResource {
  const [project] = model.resources('AWS::CodeBuild::Project', [model.stack(stackId)]);
  return model.resourceByArn(model.resolve(project.stack, project.props.ServiceRole));
}

function repository(stackId: string, logicalIdPrefix: string): { arn: string; account: string; policy: any } {
  const repo = model
    .resources('AWS::ECR::Repository', [model.stack(stackId)])
    .find((r) => r.logicalId.startsWith(logicalIdPrefix))!;
  return {
    arn: model.arnOf(repo),
    account: repo.stack.account,
    policy: repo.props.RepositoryPolicyText && model.resolve(repo.stack, repo.props.RepositoryPolicyText),
  };
}

/** The bootstrap asset repository's policy as the bootstrap stack sets it. */
const bootstrapPolicy = model.resolve(
  bootstrapStack,
  bootstrapTemplate.Resources.ContainerAssetsRepository.Properties.RepositoryPolicyText,
);

/** What `npx clair-scan pull-policy … --policy-file current.json` prints (docs/other-teams.md). */
function pullPolicyCommand(current: any): any {
  const file = path.join(outdir, 'current-policy.json');
  fs.writeFileSync(file, JSON.stringify(current));
  const printed: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((text: string) => void printed.push(text));
  try {
    const status = clairScanCli([
      'pull-policy',
      '--scanner-account',
      DEV.account,
      '--scanner-region',
      DEV.region,
      '--policy-file',
      file,
    ]);
    expect(status).toBe(0);
  } finally {
    log.mockRestore();
  }
  return JSON.parse(printed.join('\n'));
}

const assetRepository = {
  arn: `arn:${PARTITION}:ecr:${REGION}:${TEAM_ACCOUNT}:repository/${cdkAssetRepositoryName(TEAM_ACCOUNT, REGION)}`,
  account: TEAM_ACCOUNT,
  policy: pullPolicyCommand(bootstrapPolicy),
};

async function pulls(caller: Caller, repo: { arn: string; account: string; policy: any }): Promise<string[]> {
  return Promise.all(
    PULL_ACTIONS.map((action) =>
      decide({ caller, action, resource: repo.arn, resourceAccount: repo.account, resourcePolicy: repo.policy }),
    ),
  );
}

const devScanner = scannerRole('DevScanner');
const allowed = PULL_ACTIONS.map(() => 'Allowed');

describe("the scanner of an environment → an admitted account's repositories", () => {
  test('its build role has the fixed name a repository policy names', () => {
    expect(model.nameOf(devScanner)).toBe(scannerRoleName(REGION));
  });

  test('may pull from a repository of the team app that grantScannerPull granted it', async () => {
    expect(await pulls(roleCaller(model, devScanner), repository('Team', 'Granted'))).toEqual(allowed);
  });

  test("may pull from the team's CDK asset repository once clair-scan pull-policy is set, which keeps the bootstrap statements", async () => {
    expect(await pulls(roleCaller(model, devScanner), assetRepository)).toEqual(allowed);
    const sids = assetRepository.policy.Statement.map((s: any) => s.Sid);
    expect(sids).toEqual(expect.arrayContaining(bootstrapPolicy.Statement.map((s: any) => s.Sid)));
    expect(pullPolicyCommand(assetRepository.policy)).toEqual(assetRepository.policy);
  });

  test('may get an ECR authorization token', async () => {
    const caller = roleCaller(model, devScanner);
    const decision = await decide({
      caller,
      action: 'ecr:GetAuthorizationToken',
      resource: '*',
      resourceAccount: DEV.account,
    });
    expect(decision).toBe('Allowed');
  });
});

describe('and nothing else', () => {
  test('rejects a repository of the admitted account that does not grant it', async () => {
    const decisions = await pulls(roleCaller(model, devScanner), repository('Team', 'NotGranted'));
    for (const decision of decisions) expect(decision).not.toBe('Allowed');
  });

  test("rejects the team's CDK asset repository with only the bootstrap policy", async () => {
    const decisions = await pulls(roleCaller(model, devScanner), { ...assetRepository, policy: bootstrapPolicy });
    for (const decision of decisions) expect(decision).not.toBe('Allowed');
  });

  test('rejects the grant once its statement is removed', async () => {
    const granted = repository('Team', 'Granted');
    const policy = withoutStatements(granted.policy, (s) => String(s.Sid).startsWith('ClairScanner'));
    for (const decision of await pulls(roleCaller(model, devScanner), { ...granted, policy })) {
      expect(decision).not.toBe('Allowed');
    }
  });

  test('rejects a repository of an account the environment does not admit, even one that grants it', async () => {
    const decisions = await pulls(roleCaller(model, devScanner), repository('Stranger', 'Granted'));
    for (const decision of decisions) expect(decision).not.toBe('Allowed');
  });

  test("rejects another environment's scanner, which the repository did not grant", async () => {
    const decisions = await pulls(roleCaller(model, scannerRole('ProdScanner')), repository('Team', 'Granted'));
    for (const decision of decisions) expect(decision).not.toBe('Allowed');
  });

  test.each(
    model
      .resources('AWS::IAM::Role', [model.stack('DevScanner')])
      .filter((role) => role.logicalId !== devScanner.logicalId)
      .map((role) => [role.logicalId, role] as const),
  )("rejects the scanner account's %s, even with ECR pulls on *", async (_id, role) => {
    let caller = roleCaller(model, role);
    for (const action of PULL_ACTIONS) caller = withAdminGrant(caller, action);
    for (const decision of await pulls(caller, repository('Team', 'Granted'))) expect(decision).not.toBe('Allowed');
  });
});

describe('another principal of the admitted account gains nothing', () => {
  const teamRole = `arn:${PARTITION}:iam::${TEAM_ACCOUNT}:role/payments-deployer`;
  const teamCaller: Caller = {
    principal: `arn:${PARTITION}:sts::${TEAM_ACCOUNT}:assumed-role/payments-deployer/access-path-test`,
    identityPolicies: [],
    context: { 'aws:PrincipalArn': teamRole, 'aws:PrincipalAccount': TEAM_ACCOUNT },
  };

  test('the grant gives no principal of the team account a pull', async () => {
    for (const repo of [repository('Team', 'Granted'), assetRepository]) {
      for (const decision of await pulls(teamCaller, repo)) expect(decision).not.toBe('Allowed');
    }
  });

  test("no principal of the team account may assume the scanner's build role, even with sts:AssumeRole on *", async () => {
    const decision = await decide({
      caller: withAdminGrant(teamCaller, 'sts:AssumeRole'),
      action: 'sts:AssumeRole',
      resource: model.arnOf(devScanner),
      resourceAccount: DEV.account,
      resourcePolicy: model.resolve(devScanner.stack, devScanner.props.AssumeRolePolicyDocument),
    });
    expect(decision).not.toBe('Allowed');
  });
});

test('docs/other-teams.md shows the statement the tests grant, and the pull-policy command they run', () => {
  const guide = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'other-teams.md'), 'utf8');
  const [, statement] = /```json\n([\s\S]*?)```/.exec(guide)!;
  expect(JSON.parse(statement)).toEqual(scannerPullStatementJson(DEV));
  expect(guide).toContain(
    `npx clair-scan pull-policy --scanner-account ${DEV.account} --scanner-region ${DEV.region} \\\n    --policy-file current-policy.json`,
  );
});
