import { RegionInfo } from 'aws-cdk-lib/region-info';
import { PipelineConfig } from '../config/config';
import { PIPELINE_STACK_NAME, stageId } from '../pipeline/stack-names';
import { DeploymentTarget, deploymentTargets } from './deployment-targets';
import { firstRun } from './first-run';
import {
  EXECUTION_POLICY_FILE,
  EXECUTION_POLICY_NAME,
  PERMISSIONS_BOUNDARY_FILE,
  PERMISSIONS_BOUNDARY_NAME,
  policyArn,
} from './policies';

/**
 * Every step of a first deployment of `config`, in order, with the exact commands: the two IAM
 * policies in every account CloudFormation deploys to, `cdk bootstrap` of every account/region
 * pair, the connection hand-off, the lookups to record when synth needs any, `cdk deploy`, the
 * subscriptions to confirm and what the first run does, with rough durations.
 */
export function renderDeployPlan(config: PipelineConfig): string {
  const targets = deploymentTargets(config);
  const steps = [
    policiesStep(config, targets),
    bootstrapStep(config, targets),
    connectionStep(config),
    ...lookupsStep(config),
    deployStep(config, targets),
    subscriptionsStep(config),
    firstRunStep(config),
  ];
  return [
    ...header(config, targets),
    ...steps.flatMap((step, index) => ['', `${index + 1}. ${step.title}`, ...step.lines.map(indent)]),
    '',
  ].join('\n');
}

/** One numbered step of the plan. */
interface Step {
  readonly title: string;
  readonly lines: string[];
}

const indent = (line: string) => (line ? `   ${line}` : line);

function header(config: PipelineConfig, targets: DeploymentTarget[]): string[] {
  const accounts = new Set(targets.map((target) => target.account));
  const environments = config.environments.map((e) => `${e.name} (${e.account} ${e.region})`).join(', ');
  const warning = config.placeholders.length
    ? [
        '',
        'PLACEHOLDER CONFIGURATION: these settings still hold example values; set them in cdk.json before running anything below:',
        ...config.placeholders.map((setting) => `  ${setting}`),
      ]
    : [];
  return [
    'clair-pipeline: the first deployment of this configuration (from cdk.json)',
    `Pipeline: account ${config.pipeline.account}, ${config.pipeline.region}. Environments, in promotion order: ${environments}.`,
    `CloudFormation deploys to ${accounts.size} account(s) and ${targets.length} account/region pair(s). Run every command from the project's root.`,
    ...warning,
  ];
}

function policiesStep(config: PipelineConfig, targets: DeploymentTarget[]): Step {
  const accounts = [...new Set(targets.map((target) => target.account))];
  return {
    title:
      'Create the permissions boundary and the execution policy in every account (once per account: IAM is global)',
    lines: [
      'With administrator credentials of each account in turn:',
      ...accounts.flatMap((account) => [
        '',
        `# ${account} (${rolesOf(config, account)})`,
        `aws iam create-policy --policy-name ${PERMISSIONS_BOUNDARY_NAME} --policy-document file://${PERMISSIONS_BOUNDARY_FILE}`,
        `aws iam create-policy --policy-name ${EXECUTION_POLICY_NAME} --policy-document file://${EXECUTION_POLICY_FILE}`,
      ]),
      '',
      'CloudFormation deploys with the execution policy instead of AdministratorAccess: the services of the',
      "templates, and IAM only for the app's own roles, each created with the boundary. The boundary caps those",
      'roles and CloudFormation itself, and forbids users, unbounded roles and edits of these two policies.',
      'To change a policy later: aws iam create-policy-version --set-as-default (docs/deployment.md).',
    ],
  };
}

function bootstrapStep(config: PipelineConfig, targets: DeploymentTarget[]): Step {
  const pipelineAccount = config.pipeline.account;
  // The config admits environments only in the pipeline region's partition.
  const partition = RegionInfo.get(config.pipeline.region).partition ?? 'aws';
  return {
    title: 'Bootstrap every account/region pair (once per pair)',
    lines: [
      "With administrator credentials of the pair's account:",
      ...targets.flatMap((target) => {
        const trust = target.pipelineAccount
          ? []
          : [`--trust ${pipelineAccount}`, `--trust-for-lookup ${pipelineAccount}`];
        const options = [
          ...trust,
          `--cloudformation-execution-policies ${policyArn(partition, target.account, EXECUTION_POLICY_NAME)}`,
          `--custom-permissions-boundary ${PERMISSIONS_BOUNDARY_NAME}`,
        ];
        return [
          '',
          `# ${target.account} ${target.region}: ${target.deploys.join(', ')}`,
          `npx cdk bootstrap aws://${target.account}/${target.region} \\`,
          ...options.map((option, index) => `  ${option}${index < options.length - 1 ? ' \\' : ''}`),
        ];
      }),
      '',
      '--trust lets the pipeline account deploy and publish assets in an environment account;',
      '--trust-for-lookup lets it read what synth looks up there (VPCs, zones; --trust implies it, named so a',
      'later narrowing of --trust keeps lookups). The pipeline account trusts itself already. Each',
      '<pipeline account> <other region> pair holds a cross-region support stack (artifact replication).',
    ],
  };
}

function connectionStep(config: PipelineConfig): Step {
  const arn = config.source.connectionArn;
  const [, , service, region, account] = arn.split(':');
  return {
    title: 'Make the source connection available (in the console, once)',
    lines: [
      `The connection ${arn}`,
      'stays PENDING until someone authorizes it at the repository host; the pipeline cannot fetch until then.',
      `In account ${account}, region ${region}: Developer Tools > Settings > Connections > choose it >`,
      `"Update pending connection", and grant access to ${config.source.repository}. Then check:`,
      '',
      `aws ${service} get-connection --connection-arn ${arn} --region ${region} --query Connection.ConnectionStatus --output text`,
      '',
      'It must print AVAILABLE before the next step: the pipeline starts its first run as soon as it exists.',
    ],
  };
}

/** Only when synth must look something up: the pipeline's build has no credentials for it. */
function lookupsStep(config: PipelineConfig): Step[] {
  const needing = config.environments.filter((e) => !e.availabilityZones || e.network.vpcId);
  if (needing.length === 0) return [];
  return [
    {
      title: 'Record the lookups synth needs, and commit them',
      lines: [
        `${needing.map((e) => e.name).join(', ')} ${needing.length === 1 ? 'needs' : 'need'} lookups in ${[...new Set(needing.map((e) => e.account))].join(', ')}`,
        '(availability zones without availabilityZones, or network.vpcId). With credentials of the pipeline account',
        '(the lookup roles trust it), record them in cdk.context.json and commit that file:',
        '',
        'npx cdk synth --quiet',
        'git add cdk.context.json && git commit -m "Record the lookups of the environments" && git push',
      ],
    },
  ];
}

function deployStep(config: PipelineConfig, targets: DeploymentTarget[]): Step {
  const supports = targets
    .filter((t) => t.pipelineAccount)
    .flatMap((t) => t.deploys.filter((d) => d.includes('-support-')));
  const dependencies = supports.length
    ? [`It first creates ${supports.join(', ')} (artifact replication for the other regions), then the pipeline.`]
    : [];
  return {
    title: 'Deploy the pipeline (once: from then on it deploys itself on every push)',
    lines: [
      `With credentials of the pipeline account ${config.pipeline.account}, having pushed this configuration to ${config.source.branch}:`,
      '',
      `npx cdk deploy ${PIPELINE_STACK_NAME}`,
      '',
      ...dependencies,
      'Accept the IAM changes when asked. About 10 minutes.',
    ],
  };
}

function subscriptionsStep(config: PipelineConfig): Step {
  const topicsByAddress = new Map<string | undefined, string[]>();
  const add = (address: string | undefined, topic: string) =>
    topicsByAddress.set(address, [...(topicsByAddress.get(address) ?? []), topic]);
  add(config.notificationEmail, "the pipeline's approval requests and failures (after the deploy)");
  for (const { name, monitoring } of config.environments) {
    add(monitoring.alarmEmail, `the alarms of ${name} (once Clair-${stageId(name)} is deployed)`);
  }
  const lines = [...topicsByAddress].flatMap(([address, topics]) => [
    address
      ? `${address} receives:`
      : config.notificationOptOut
        ? 'No address receives these (notificationOptOut): subscribe the topics yourself:'
        : 'NOBODY receives (set notificationEmail, or monitoring.alarmEmail of the environment, in cdk.json):',
    ...topics.map((topic) => `  - ${topic}`),
  ]);
  return {
    title: 'Confirm the e-mail subscriptions',
    lines: [
      'SNS mails "AWS Notification - Subscription Confirmation" for each topic; until its link is followed,',
      'that topic reaches nobody.',
      '',
      ...lines,
    ],
  };
}

function firstRunStep(config: PipelineConfig): Step {
  const steps = firstRun(config);
  const width = Math.max(...steps.map((s) => s.step.length));
  const total = (pick: (s: (typeof steps)[number]) => number) => steps.reduce((sum, s) => sum + pick(s), 0);
  return {
    title: `The first run (automatic; CodePipeline console > clair-pipeline)`,
    lines: [
      'Rough durations, estimated from the work each step does (not measured):',
      '',
      ...steps.map(
        (s) =>
          `${s.step.padEnd(width)}  ${s.maxMinutes ? `${s.minMinutes}-${s.maxMinutes} min`.padEnd(11) : 'a person'.padEnd(11)}  ${s.does}`,
      ),
      '',
      `In all roughly ${hours(total((s) => s.minMinutes))} to ${hours(total((s) => s.maxMinutes))} hours, plus the time approvals wait.`,
      "Later runs are shorter: unchanged stacks deploy as no-ops, and Clair's data is already loaded.",
    ],
  };
}

const hours = (minutes: number) => (Math.round(minutes / 6) / 10).toFixed(1);

/** What an account is to this configuration: the pipeline's, and which environments'. */
function rolesOf(config: PipelineConfig, account: string): string {
  return [
    ...(account === config.pipeline.account ? ['pipeline'] : []),
    ...config.environments.filter((e) => e.account === account).map((e) => e.name),
  ].join(', ');
}
