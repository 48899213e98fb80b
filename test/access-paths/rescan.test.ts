/**
 * The rescan's role and schedule (docs/rescans.md), evaluated against the fixture apps' templates,
 * each role capped by the permissions boundary it carries: the role may list and describe this
 * account's running tasks, pull the images the scanner may pull, read and write its state object
 * (with its key), notify the environment's topic and put its metrics; nothing that changes what is
 * deployed, nothing of another account, no other object, namespace or topic; it may list and read
 * the deployed-policy records, and the scanner's role may write records and nothing else of the
 * bucket. Security Hub: where
 * an environment enables it (the company app's prod), the role may import findings for its own
 * account's default product in its own region and nothing else of Security Hub; where it is off
 * (the default app, the company app's dev and staging), nothing of Security Hub at all. The
 * schedule starts the rescan only.
 */
import { DEPLOYED_POLICY_VARIABLES } from '../../buildspecs/scanner-buildspec';
import { RESCAN_METRICS_NAMESPACE, RESCAN_PROJECT_NAME, RESCAN_STATE_KEY } from '../../stages/clair/rescan';
import { cdkAssetRepositoryName, SCANNER_PROJECT_NAME } from '@clair-pipeline/scan';
import { defaultStacks, fixtureAssemblyDir } from '../helpers/default-assembly';
import { boundedRoleCaller } from './bootstrap-policies';
import { CloudModel, ModelResource, PARTITION } from './cloud-model';
import { Caller, decide } from './evaluate';
import { actionsMatching, exampleResources } from './iam-data';
import { bucketPolicy, keyByArn, topicPolicy } from './resource-policies';

const model = CloudModel.ofDefaultApp();

/** The rescan projects of an app, with their roles, their scanner's role and what their variables name. */
function rescansOf(model: CloudModel) {
  return model
    .resources('AWS::CodeBuild::Project')
    .filter((project) => project.props.Name === RESCAN_PROJECT_NAME)
    .map((project) => {
      const variable = (name: string, of = project): string =>
        model.resolve(of.stack, of.props.Environment.EnvironmentVariables.find((v: any) => v.Name === name).Value);
      const scanner = model
        .resources('AWS::CodeBuild::Project', [project.stack])
        .find((p) => p.props.Name === SCANNER_PROJECT_NAME)!;
      return {
        project,
        role: model.resourceByArn(model.resolve(project.stack, project.props.ServiceRole)),
        scannerRole: model.resourceByArn(model.resolve(scanner.stack, scanner.props.ServiceRole)),
        scannerBucket: variable(DEPLOYED_POLICY_VARIABLES.bucket, scanner),
        scannerKeyArn: variable(DEPLOYED_POLICY_VARIABLES.kmsKey, scanner),
        bucket: variable('RESCAN_STATE_BUCKET'),
        keyArn: variable('RESCAN_STATE_KMS_KEY'),
        topicArn: variable('RESCAN_TOPIC_ARN'),
        securityHub: variable('RESCAN_SECURITY_HUB') === 'true',
      };
    });
}

const rescans = rescansOf(model);

test('the walk of the templates finds a rescan in every environment', () => {
  expect(rescans.length).toBe(
    model.resources('AWS::CodeBuild::Project').filter((p) => p.props.Name === SCANNER_PROJECT_NAME).length,
  );
  expect(rescans.length).toBeGreaterThan(0);
});

describe.each(rescans.map((r) => [r.project.stack.displayPath, r] as const))('the rescan role of %s', (_name, r) => {
  const { account, region } = r.project.stack;
  const caller: Caller = boundedRoleCaller(model, r.role);
  const ask = (action: string, resource: string, context: Record<string, string> = {}, resourcePolicy?: any) =>
    decide({ caller, action, resource, resourceAccount: resource.split(':')[4] || account, resourcePolicy, context });
  const cluster = (a = account) => `arn:${PARTITION}:ecs:${region}:${a}:cluster/prod`;
  const stateObject = `arn:${PARTITION}:s3:::${r.bucket}/${RESCAN_STATE_KEY}`;
  const recordObject = `arn:${PARTITION}:s3:::${r.bucket}/deployed-policies/${'a'.repeat(64)}/${'b'.repeat(64)}.json`;
  const objectPolicy = () => bucketPolicy(model, r.bucket);
  const viaS3 = { 'kms:ViaService': `s3.${region}.amazonaws.com`, 'kms:CallerAccount': account };
  const topic = model.resourceByArn(r.topicArn);
  const topicKey = keyByArn(model, model.resolve(topic.stack, topic.props.KmsMasterKeyId));

  test.each([
    ['lists the clusters', 'ecs:ListClusters', '*', {}],
    [
      "lists a cluster's tasks",
      'ecs:ListTasks',
      `arn:${PARTITION}:ecs:${region}:${account}:container-instance/prod/0123`,
      { 'ecs:cluster': cluster() },
    ],
    [
      'describes its tasks',
      'ecs:DescribeTasks',
      `arn:${PARTITION}:ecs:${region}:${account}:task/prod/0123`,
      { 'ecs:cluster': cluster() },
    ],
    [
      'pulls from the CDK asset repository',
      'ecr:BatchGetImage',
      `arn:${PARTITION}:ecr:${region}:${account}:repository/${cdkAssetRepositoryName(account, region)}`,
      {},
    ],
    ['puts its metrics', 'cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': RESCAN_METRICS_NAMESPACE }],
  ] as Array<[string, string, string, Record<string, string>]>)('%s', async (_what, action, resource, context) => {
    expect(await ask(action, resource, context)).toBe('Allowed');
  });

  test('reads and writes its state object, with its key', async () => {
    for (const action of ['s3:GetObject', 's3:PutObject']) {
      expect(await ask(action, stateObject, {}, objectPolicy())).toBe('Allowed');
    }
    const key = keyByArn(model, r.keyArn);
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
      expect(await ask(action, r.keyArn, viaS3, key.policy)).toBe('Allowed');
    }
  });

  test('lists and reads the deployed-policy records, and may not write or delete one', async () => {
    const bucketArn = `arn:${PARTITION}:s3:::${r.bucket}`;
    expect(await ask('s3:ListBucket', bucketArn, { 's3:prefix': 'deployed-policies/' }, objectPolicy())).toBe(
      'Allowed',
    );
    expect(await ask('s3:GetObject', recordObject, {}, objectPolicy())).toBe('Allowed');
    for (const action of ['s3:PutObject', 's3:DeleteObject']) {
      expect(await ask(action, recordObject, {}, objectPolicy())).not.toBe('Allowed');
    }
    for (const prefix of ['', 'rescan/']) {
      expect(await ask('s3:ListBucket', bucketArn, { 's3:prefix': prefix }, objectPolicy())).not.toBe('Allowed');
    }
  });

  test("notifies the environment's topic", async () => {
    expect(await ask('sns:Publish', r.topicArn, {}, topicPolicy(model, r.topicArn))).toBe('Allowed');
    expect(await ask('kms:GenerateDataKey', model.arnOf(topicKey.key), {}, topicKey.policy)).toBe('Allowed');
  });

  test.each([
    [
      'describe the tasks of another account',
      'ecs:DescribeTasks',
      `arn:${PARTITION}:ecs:${region}:999999999999:task/prod/0123`,
      { 'ecs:cluster': cluster('999999999999') },
    ],
    [
      'stop a task',
      'ecs:StopTask',
      `arn:${PARTITION}:ecs:${region}:${account}:task/prod/0123`,
      { 'ecs:cluster': cluster() },
    ],
    [
      'change a service',
      'ecs:UpdateService',
      `arn:${PARTITION}:ecs:${region}:${account}:service/prod/web`,
      { 'ecs:cluster': cluster() },
    ],
    [
      'run a task',
      'ecs:RunTask',
      `arn:${PARTITION}:ecs:${region}:${account}:task-definition/web:1`,
      { 'ecs:cluster': cluster() },
    ],
    [
      'push an image',
      'ecr:PutImage',
      `arn:${PARTITION}:ecr:${region}:${account}:repository/${cdkAssetRepositoryName(account, region)}`,
      {},
    ],
    ['put metrics into another namespace', 'cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': 'AWS/ECS' }],
    [
      'import findings (Security Hub is off in the default app)',
      'securityhub:BatchImportFindings',
      `arn:${PARTITION}:securityhub:${region}:${account}:product/${account}/default`,
      { 'securityhub:TargetAccount': account },
    ],
  ] as Array<[string, string, string, Record<string, string>]>)(
    'may not %s',
    async (_what, action, resource, context) => {
      expect(await ask(action, resource, context)).not.toBe('Allowed');
    },
  );

  test('may not touch another object of its bucket, nor delete its state', async () => {
    expect(await ask('s3:GetObject', `arn:${PARTITION}:s3:::${r.bucket}/other.json`, {}, objectPolicy())).not.toBe(
      'Allowed',
    );
    expect(await ask('s3:DeleteObject', stateObject, {}, objectPolicy())).not.toBe('Allowed');
  });

  test('may not publish to another topic', async () => {
    const other = model
      .resources('AWS::SNS::Topic')
      .map((t) => model.arnOf(t))
      .find((arn) => arn !== r.topicArn)!;
    expect(await ask('sns:Publish', other, {}, topicPolicy(model, other))).not.toBe('Allowed');
  });
});

describe.each(rescans.map((r) => [r.project.stack.displayPath, r] as const))("the scanner's role of %s", (_name, r) => {
  const { account, region } = r.project.stack;
  const caller: Caller = boundedRoleCaller(model, r.scannerRole);
  const objectPolicy = () => bucketPolicy(model, r.bucket);
  const ask = (action: string, resource: string, context: Record<string, string> = {}) =>
    decide({ caller, action, resource, resourceAccount: account, resourcePolicy: objectPolicy(), context });
  const object = (key: string) => `arn:${PARTITION}:s3:::${r.bucket}/${key}`;
  const record = object(`deployed-policies/${'a'.repeat(64)}/${'b'.repeat(64)}.json`);

  test("records policies in the rescan's bucket, with its key", async () => {
    expect(r.scannerBucket).toBe(r.bucket);
    expect(r.scannerKeyArn).toBe(r.keyArn);
    expect(await ask('s3:PutObject', record)).toBe('Allowed');
    const key = keyByArn(model, r.keyArn);
    const kms = (action: string, context: Record<string, string>) =>
      decide({
        caller,
        action,
        resource: r.keyArn,
        resourceAccount: account,
        resourcePolicy: key.policy,
        context: { 'kms:CallerAccount': account, ...context },
      });
    const viaS3 = { 'kms:ViaService': `s3.${region}.amazonaws.com` };
    expect(await kms('kms:GenerateDataKey', viaS3)).toBe('Allowed');
    // Only through S3, and never to read: not the state, not a record.
    expect(await kms('kms:GenerateDataKey', {})).not.toBe('Allowed');
    expect(await kms('kms:Decrypt', viaS3)).not.toBe('Allowed');
  });

  test.each([
    ['overwrite the state', 's3:PutObject', object(RESCAN_STATE_KEY)],
    ['write outside deployed-policies/', 's3:PutObject', object('other.json')],
    ['read a record', 's3:GetObject', record],
    ['delete a record', 's3:DeleteObject', record],
    ['read the state', 's3:GetObject', object(RESCAN_STATE_KEY)],
    ['list the bucket', 's3:ListBucket', `arn:${PARTITION}:s3:::${r.bucket}`],
  ])('may not %s', async (_what, action, resource) => {
    expect(await ask(action, resource)).not.toBe('Allowed');
  });
});

const schedules = model.resources('AWS::Events::Rule').flatMap((rule: ModelResource) =>
  model
    .resolve(rule.stack, rule.props.Targets ?? [])
    .filter((target: any) => target.Arn.endsWith(`:project/${RESCAN_PROJECT_NAME}`))
    .map((target: any) => ({ rule, target })),
);

describe('the rescan schedule', () => {
  test('the walk of the templates finds one per rescan', () => {
    expect(schedules.length).toBe(rescans.length);
  });

  test.each(schedules.map((s) => [s.rule.stack.displayPath, s] as const))(
    'may start the rescan and nothing else (%s)',
    async (_name, { rule, target }) => {
      const caller = boundedRoleCaller(model, model.resourceByArn(target.RoleArn));
      const start = (project: string) =>
        decide({ caller, action: 'codebuild:StartBuild', resource: project, resourceAccount: rule.stack.account });
      expect(await start(target.Arn)).toBe('Allowed');
      expect(await start(target.Arn.replace(RESCAN_PROJECT_NAME, SCANNER_PROJECT_NAME))).not.toBe('Allowed');
    },
  );
});

const company = CloudModel.ofStacks(defaultStacks(fixtureAssemblyDir('company')));
const companyRescans = rescansOf(company);
/** The one action of Security Hub the rescan calls (container/scanner/gate/rescan/security-hub.ts). */
const IMPORT = 'securityhub:BatchImportFindings';
const OTHER_ACCOUNT = '999999999999';

describe('Security Hub, in the company app (on in prod, off in dev and staging)', () => {
  test('the walk of the templates finds it on in prod only', () => {
    expect(companyRescans.map((r) => [r.project.stack.displayPath, r.securityHub])).toEqual([
      ['ClairPipeline/Clair-Dev/Service', false],
      ['ClairPipeline/Clair-Staging/Service', false],
      ['ClairPipeline/Clair-Prod/Service', true],
    ]);
  });

  describe.each(companyRescans.map((r) => [r.project.stack.displayPath, r] as const))(
    'the rescan role of %s',
    (_name, r) => {
      const { account, region } = r.project.stack;
      const caller = boundedRoleCaller(company, r.role);
      /** A product's ARN: by default this account's default product in this region. */
      const product = (productRegion = region, productAccount = account, owner = productAccount) =>
        `arn:${PARTITION}:securityhub:${productRegion}:${productAccount}:product/${owner}/default`;
      const importInto = (resource: string, target = account) =>
        decide({
          caller,
          action: IMPORT,
          resource,
          resourceAccount: resource.split(':')[4] || account,
          context: { 'securityhub:TargetAccount': target },
        });

      test(
        r.securityHub
          ? "may import findings for its own account into its account's default product, in its region"
          : 'may not import findings into its default product (Security Hub is off)',
        async () => {
          expect(await importInto(product())).toBe(r.securityHub ? 'Allowed' : 'ImplicitlyDenied');
        },
      );

      test.each([
        ["another account's default product", product(region, OTHER_ACCOUNT)],
        [
          "its account's default product in another region",
          product(region === 'us-east-1' ? 'eu-west-1' : 'us-east-1'),
        ],
        ['a product of another company, in its account', product(region, account, OTHER_ACCOUNT)],
        [
          "a partner's product (in the partner's account)",
          `arn:${PARTITION}:securityhub:${region}:${OTHER_ACCOUNT}:product/crowdstrike/crowdstrike-falcon`,
        ],
      ])('may not import findings into %s', async (_what, resource) => {
        expect(await importInto(resource)).not.toBe('Allowed');
      });

      test("may not import findings for another account, even into its account's default product", async () => {
        expect(await importInto(product(), OTHER_ACCOUNT)).not.toBe('Allowed');
      });

      test('may do nothing else of Security Hub in its account: update, read, disable, configure', async () => {
        const others = actionsMatching('securityhub:*').filter((action) => action !== IMPORT);
        expect(others).toEqual(
          expect.arrayContaining([
            'securityhub:BatchUpdateFindings',
            'securityhub:UpdateFindings',
            'securityhub:GetFindings',
            'securityhub:DisableSecurityHub',
            'securityhub:DisableImportFindingsForProduct',
          ]),
        );
        const allowed: string[] = [];
        for (const action of others) {
          for (const resource of exampleResources(action, PARTITION, region, account)) {
            const decision = await decide({ caller, action, resource, resourceAccount: account });
            if (decision === 'Allowed') allowed.push(`${action} on ${resource}`);
          }
        }
        expect(allowed).toEqual([]);
      });
    },
  );
});
