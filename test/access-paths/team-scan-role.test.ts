/**
 * The role a team deploys in its own account, without CDK, to run the scan gate from any CI
 * (packages/clair-scan/cloudformation/clair-scan-role.yml): cfn-lint passes it, the scanner's
 * invoker admits exactly that role of the team's account, and the role may assume nothing but
 * that invoker. Its own trust admits only the CodeBuild project, or the GitHub subject, it names.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { invokerRoleName } from '@clair-pipeline/scan';
import { App } from 'aws-cdk-lib';
import * as YAML from 'yaml';
import { APP_PROPS } from '../../pipeline/app-props';
import { REPO_ROOT } from '../helpers/run-script';
import { lintWithCache, PINNED_CFN_LINT } from '../pipeline/cfn-lint-cache';
import { assemblyStacks, CloudModel, ModelResource, ModelStack, PARTITION } from './cloud-model';
import { Caller, decide, roleCaller, sessionOf, withAdminGrant } from './evaluate';
import { scannerHost, scanPolicy } from './scanner-host';

const TEMPLATE = path.join(REPO_ROOT, 'packages', 'clair-scan', 'cloudformation', 'clair-scan-role.yml');
const REGION = 'eu-west-1';
const DEV = { account: '222222222222', region: REGION };
const PROD = { account: '333333333333', region: REGION };
const TEAM_ACCOUNT = '444444444444';

/** The template, its short-form intrinsic functions (`!Sub`, `!If`, …) in their long form. */
function readTemplate(): any {
  const tag = (name: string, collection?: 'seq') => ({
    tag: `!${name}`,
    collection,
    resolve: (value: any) => ({
      [name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`]: collection ? value.toJSON() : value,
    }),
  });
  const tags = ['Sub', 'Ref', 'GetAtt'].map((name) => tag(name));
  const seqTags = ['If', 'Equals', 'Not', 'And', 'Or', 'Join', 'Select', 'Split'].map((name) => tag(name, 'seq'));
  return YAML.parse(fs.readFileSync(TEMPLATE, 'utf8'), { customTags: [...tags, ...seqTags] });
}

/** The template deployed in the team's account with these parameters. */
function teamStack(name: string, parameters: Record<string, string>): ModelStack {
  const template = readTemplate();
  for (const [key, value] of Object.entries(parameters)) template.Parameters[key].Default = value;
  return { displayPath: name, stackName: name, account: TEAM_ACCOUNT, region: REGION, template };
}

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'team-scan-role-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

const app = new App({ ...APP_PROPS, outdir });
for (const [id, env] of [
  ['DevScanner', DEV],
  ['ProdScanner', PROD],
] as const) {
  scannerHost(app, id, env, scanPolicy({ invokerAccounts: [TEAM_ACCOUNT] }));
}
const assembly = app.synth();
const scanner = { ScannerAccount: DEV.account, ScannerRegion: REGION };
const model = new CloudModel([
  ...assemblyStacks(assembly, ['DevScanner', 'ProdScanner']),
  teamStack('SearchCodeBuild', { ...scanner, RoleNameSuffix: 'search', CodeBuildProjectName: 'search-build' }),
  teamStack('SearchGitHub', {
    ...scanner,
    RoleNameSuffix: 'search-github',
    Caller: 'github-actions',
    GitHubSubject: 'repo:example-org/search:ref:refs/heads/main',
  }),
]);

function invoker(stackId: string): ModelResource {
  return model
    .resources('AWS::IAM::Role', [model.stack(stackId)])
    .find((role) => model.nameOf(role) === invokerRoleName(REGION))!;
}
const scanRole = (stackId: string) => model.resource(model.stack(stackId), 'ScanRole');

function assumeInvoker(caller: Caller, target: ModelResource) {
  return decide({
    caller,
    action: 'sts:AssumeRole',
    resource: model.arnOf(target),
    resourceAccount: target.stack.account,
    resourcePolicy: model.resolve(target.stack, target.props.AssumeRolePolicyDocument),
  });
}

// Linted once per distinct text of the template (test/pipeline/cfn-lint-cache.ts).
test('the template passes cfn-lint', async () => {
  expect(await lintWithCache([TEMPLATE], PINNED_CFN_LINT)).toEqual([]);
});

test.each(['SearchCodeBuild', 'SearchGitHub'])(
  "the role of %s is named clair-scan-… and may assume the scanner's invoker",
  async (stackId) => {
    expect(model.nameOf(scanRole(stackId))).toMatch(/^clair-scan-/);
    expect(await assumeInvoker(roleCaller(model, scanRole(stackId)), invoker('DevScanner'))).toBe('Allowed');
  },
);

test("the role may assume no other scanner's invoker, though that invoker trusts its account", async () => {
  expect(await assumeInvoker(roleCaller(model, scanRole('SearchCodeBuild')), invoker('ProdScanner'))).not.toBe(
    'Allowed',
  );
});

test.each(['search-ci', 'Admin', 'clairscan-search'])(
  "rejects the team account's role %s, even with sts:AssumeRole on *",
  async (name) => {
    const other = withAdminGrant(sessionOf(`arn:${PARTITION}:iam::${TEAM_ACCOUNT}:role/${name}`, []), 'sts:AssumeRole');
    expect(await assumeInvoker(other, invoker('DevScanner'))).not.toBe('Allowed');
  },
);

describe("the role's own trust", () => {
  const codebuild = (project: string): Caller => ({
    principal: 'codebuild.amazonaws.com',
    identityPolicies: [],
    context: {
      'aws:PrincipalIsAWSService': 'true',
      'aws:PrincipalServiceName': 'codebuild.amazonaws.com',
      'aws:SourceAccount': TEAM_ACCOUNT,
      'aws:SourceArn': `arn:${PARTITION}:codebuild:${REGION}:${TEAM_ACCOUNT}:project/${project}`,
    },
  });
  const github = (subject: string): Caller => ({
    principal: `arn:${PARTITION}:iam::${TEAM_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
    identityPolicies: [],
    context: {
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': subject,
    },
  });
  const assumeScanRole = (caller: Caller, stackId: string, action: string) => {
    const role = scanRole(stackId);
    return decide({
      caller,
      action,
      resource: model.arnOf(role),
      resourceAccount: TEAM_ACCOUNT,
      resourcePolicy: model.resolve(role.stack, role.props.AssumeRolePolicyDocument),
    });
  };

  test('admits CodeBuild for the project it names, and no other project', async () => {
    expect(await assumeScanRole(codebuild('search-build'), 'SearchCodeBuild', 'sts:AssumeRole')).toBe('Allowed');
    expect(await assumeScanRole(codebuild('other-build'), 'SearchCodeBuild', 'sts:AssumeRole')).not.toBe('Allowed');
  });

  // The evaluator ignores the OIDC provider's claim keys (token.actions.githubusercontent.com:sub),
  // so it cannot decide this trust: the statement is checked as written instead.
  test('admits only the GitHub subject it names, exactly, with the STS audience', () => {
    const role = scanRole('SearchGitHub');
    expect(model.resolve(role.stack, role.props.AssumeRolePolicyDocument).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: {
          Federated: `arn:${PARTITION}:iam::${TEAM_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
        },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': 'repo:example-org/search:ref:refs/heads/main',
          },
        },
      },
    ]);
  });

  test('a CodeBuild role does not trust GitHub, nor a GitHub role CodeBuild', async () => {
    expect(
      await assumeScanRole(
        github('repo:example-org/search:ref:refs/heads/main'),
        'SearchCodeBuild',
        'sts:AssumeRoleWithWebIdentity',
      ),
    ).not.toBe('Allowed');
    expect(await assumeScanRole(codebuild('search-build'), 'SearchGitHub', 'sts:AssumeRole')).not.toBe('Allowed');
  });
});

test("the parameters docs/other-teams.md deploys it with are the template's own", () => {
  const guide = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'other-teams.md'), 'utf8');
  const deploy = /aws cloudformation deploy[\s\S]*?```/.exec(guide)![0];
  const named = [...deploy.matchAll(/ ([A-Za-z]+)=/g)].map((m) => m[1]);
  expect(named.length).toBeGreaterThan(3);
  expect(Object.keys(readTemplate().Parameters)).toEqual(expect.arrayContaining(named));
  expect(deploy).toContain('cloudformation/clair-scan-role.yml');
});
