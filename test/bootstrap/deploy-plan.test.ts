/**
 * `npm run deploy-plan`: the plan of a first deployment, derived from the configuration alone,
 * must name exactly the accounts and account/region pairs the synthesized assembly deploys to.
 * Compared on fixture configurations against real assemblies (synthesized once per run without
 * the gates, which other tests run: test/helpers/default-assembly.ts), and run as the command on
 * a fixture cdk.json.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderDeployPlan } from '../../bootstrap/deploy-plan';
import { deployPlanCommand } from '../../bootstrap/print-deploy-plan';
import { deploymentTargets } from '../../bootstrap/deployment-targets';
import { EXECUTION_POLICY_NAME, PERMISSIONS_BOUNDARY_NAME } from '../../bootstrap/policies';
import { parseConfig } from '../../config/config';
import {
  DefaultStack,
  defaultStacks,
  DEPLOYMENT_FIXTURE_APPS,
  DeploymentFixtureApp,
  ungatedAssemblyDir,
} from '../helpers/default-assembly';
import { manyAccountsAndRegions, PIPELINE_ACCOUNT, twoAccountsOneRegion } from '../helpers/deployment-fixtures';
import { npmScript } from '../helpers/command-line';
import { runScript } from '../helpers/run-script';

/** One `npx cdk bootstrap` command of a plan: its pair and its options. */
interface Bootstrap {
  readonly pair: string;
  readonly options: string[];
}

/** The bootstrap commands of a printed plan (each continued over `\` lines). */
function bootstraps(plan: string): Bootstrap[] {
  return [...plan.matchAll(/npx cdk bootstrap aws:\/\/(\d{12}\/[a-z0-9-]+)((?: \\\n\s+--\S+ \S+)*)/g)].map(
    ([, pair, options]) => ({
      pair,
      options: options
        .split('\\')
        .map((o) => o.trim())
        .filter(Boolean),
    }),
  );
}

/** The accounts a printed plan creates the two policies in, in order. */
function policyAccounts(plan: string): string[] {
  const accounts = [...plan.matchAll(/^\s+# (\d{12}) \(/gm)].map(([, account]) => account);
  for (const name of [PERMISSIONS_BOUNDARY_NAME, EXECUTION_POLICY_NAME]) {
    expect(plan.split(`aws iam create-policy --policy-name ${name} `).length - 1).toBe(accounts.length);
  }
  return accounts;
}

describe.each(Object.keys(DEPLOYMENT_FIXTURE_APPS) as DeploymentFixtureApp[])('the plan of the %s fixture', (name) => {
  const config = parseConfig(DEPLOYMENT_FIXTURE_APPS[name]());
  const plan = renderDeployPlan(config);
  // Every stack of the fixture's assembly, synthesized once per run without the gates.
  const app: { stacks: DefaultStack[] } = { stacks: [] };
  beforeAll(() => {
    app.stacks = defaultStacks(ungatedAssemblyDir(name));
  });

  test('bootstraps exactly the account/region pairs the assembly deploys to, each once', () => {
    const printed = bootstraps(plan).map((b) => b.pair);
    expect(new Set(printed).size).toBe(printed.length);
    expect(printed.sort()).toEqual([...new Set(app.stacks.map((s) => `${s.account}/${s.region}`))].sort());
  });

  test('creates the boundary and the execution policy in exactly the accounts the assembly deploys to', () => {
    expect(policyAccounts(plan).sort()).toEqual([...new Set(app.stacks.map((s) => s.account))].sort());
  });

  test('says which stacks each pair holds, and every stack of the assembly is in its pair', () => {
    const targets = deploymentTargets(config);
    for (const stack of app.stacks) {
      const target = targets.find((t) => t.account === stack.account && t.region === stack.region);
      const patterns = (target?.deploys ?? []).map((d) => new RegExp(`^${d.replace('*', '.+')}$`));
      expect([stack.stackName, patterns.some((p) => p.test(stack.stackName))]).toEqual([stack.stackName, true]);
    }
  });

  test('names no stack the assembly lacks (an environment without its sample app has no SampleApp stack)', () => {
    for (const { deploys } of deploymentTargets(config)) {
      for (const pattern of deploys.map((d) => new RegExp(`^${d.replace('*', '.+')}$`))) {
        expect([pattern.source, app.stacks.some((s) => pattern.test(s.stackName))]).toEqual([pattern.source, true]);
      }
    }
  });

  test('each bootstrap trusts the pipeline account where it is another account, and names both policies', () => {
    for (const { pair, options } of bootstraps(plan)) {
      const account = pair.split('/')[0];
      const trust =
        account === PIPELINE_ACCOUNT ? [] : [`--trust ${PIPELINE_ACCOUNT}`, `--trust-for-lookup ${PIPELINE_ACCOUNT}`];
      expect(options).toEqual([
        ...trust,
        `--cloudformation-execution-policies arn:aws:iam::${account}:policy/${EXECUTION_POLICY_NAME}`,
        `--custom-permissions-boundary ${PERMISSIONS_BOUNDARY_NAME}`,
      ]);
    }
  });

  test('orders the steps: policies, bootstrap, connection, deploy, subscriptions, first run', () => {
    const titles = [...plan.matchAll(/^(\d+)\. (.*)$/gm)].map(([, , title]) => title.split(' ')[0]);
    expect(titles).toEqual(['Create', 'Bootstrap', 'Make', 'Deploy', 'Confirm', 'The']);
    expect(plan).toContain(`npx cdk deploy ClairPipeline\n`);
    expect(plan).toContain(`aws codeconnections get-connection --connection-arn ${config.source.connectionArn} `);
    expect(plan).toContain(
      `${config.notificationEmail} receives:\n     - the pipeline's approval requests and failures (after the deploy)\n`,
    );
    expect(plan).toMatch(/In all roughly \d+\.\d to \d+\.\d hours/);
  });
});

test('the deploy step names the cross-region support stacks it creates before the pipeline', () => {
  const plan = renderDeployPlan(parseConfig(manyAccountsAndRegions()));
  expect(plan).toContain(
    'It first creates ClairPipeline-support-us-east-1, ClairPipeline-support-eu-central-1 (artifact replication',
  );
});

test('says loudly who is not notified when no address is configured', () => {
  const raw = twoAccountsOneRegion();
  delete raw.notificationEmail;
  raw.environments.prod.monitoring = { alarmEmail: 'prod-oncall@example.com' };
  const plan = renderDeployPlan(parseConfig(raw));
  expect(plan).toContain(
    [
      'NOBODY receives (set notificationEmail, or monitoring.alarmEmail of the environment, in cdk.json):',
      "  - the pipeline's approval requests and failures (after the deploy)",
      '  - the alarms of dev (once Clair-Dev is deployed)',
      'prod-oncall@example.com receives:',
      '  - the alarms of prod (once Clair-Prod is deployed)',
    ]
      .map((line) => `   ${line}`)
      .join('\n'),
  );
});

test('asks to record and commit the lookups only when an environment needs one', () => {
  const raw = twoAccountsOneRegion();
  expect(renderDeployPlan(parseConfig(raw))).not.toContain('Record the lookups');
  delete raw.environments.prod.availabilityZones;
  const plan = renderDeployPlan(parseConfig(raw));
  expect(plan).toMatch(/\d\. Record the lookups synth needs, and commit them\n\s+prod needs lookups in 300000000003/);
  expect(plan.indexOf('Record the lookups')).toBeLessThan(plan.indexOf('npx cdk deploy'));
});

describe('npm run deploy-plan', () => {
  /** A project directory holding only the given cdk.json. */
  function project(cdkJson: unknown): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'project-'));
    fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify(cdkJson));
    return dir;
  }

  /** Runs the command, as `npm run deploy-plan` does, in a project holding only the given cdk.json. */
  function deployPlan(cdkJson: unknown, args: string[] = []) {
    const command = npmScript('deploy-plan');
    return runScript(command.cmd, [...command.args, ...args], { cwd: project(cdkJson) });
  }

  /**
   * The same command in this process (a child process costs about half a second of CPU; the test above
   * proves the command line).
   */
  function deployPlanInProcess(cdkJson: unknown, args: string[] = []) {
    return deployPlanCommand(args, project(cdkJson));
  }

  test('prints the plan of cdk.json with the -c overrides cdk synth takes', () => {
    const result = deployPlan({ context: { clairPipeline: twoAccountsOneRegion() } }, [
      '-c',
      'clairPipeline.environments.prod.account=400000000004',
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(bootstraps(result.stdout).map((b) => b.pair)).toEqual([
      `${PIPELINE_ACCOUNT}/eu-west-1`,
      '200000000002/eu-west-1',
      '400000000004/eu-west-1',
    ]);
  });

  test('fails with the configuration errors, as cdk synth prints them, and exit 1', () => {
    const raw = twoAccountsOneRegion();
    raw.environments.prod.account = '3333';
    const result = deployPlanInProcess({ context: { clairPipeline: raw } });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^Invalid clair-pipeline configuration:\n {2}- clairPipeline\.environments\.prod\.account must be a 12-digit AWS account id, got '3333'; /,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  test('rejects an argument it does not know, with its usage and exit 2', () => {
    const result = deployPlanInProcess({ context: { clairPipeline: twoAccountsOneRegion() } }, ['--profile', 'prod']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      "unexpected argument '--profile prod'; usage: npm run deploy-plan [-- -c clairPipeline.<setting>=<value> ...]\n",
    );
  });
});
