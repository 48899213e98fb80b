/**
 * Notifications reach their topics: every alarm action, every CodeStar Notifications rule and every
 * approval action of the default app, evaluated against the synthesized topic, key and identity
 * policies. The topics' policies replace SNS's default one, so nothing publishes unless granted.
 */
import { CloudModel } from './cloud-model';
import { Caller, decide, namesPrincipal, roleCaller, serviceCaller, withoutStatements } from './evaluate';
import { keyByArn, topicPolicy } from './resource-policies';

const model = CloudModel.ofDefaultApp();

/** One publisher and the topic it notifies. */
interface Publication {
  readonly name: string;
  readonly caller: Caller;
  readonly topicArn: string;
  /** The context the service sets when it publishes for its source (alarm, rule). */
  readonly context: Record<string, string>;
}

const topicAccount = (topicArn: string) => topicArn.split(':')[4];

function publish(publication: Publication, policy = topicPolicy(model, publication.topicArn)) {
  return decide({
    caller: publication.caller,
    action: 'sns:Publish',
    resource: publication.topicArn,
    resourceAccount: topicAccount(publication.topicArn),
    resourcePolicy: policy,
    context: publication.context,
  });
}

function useKey(publication: Publication, action: string, policy?: any) {
  const topic = model.resourceByArn(publication.topicArn);
  const key = keyByArn(model, model.resolve(topic.stack, topic.props.KmsMasterKeyId));
  return decide({
    caller: publication.caller,
    action,
    resource: model.arnOf(key.key),
    resourceAccount: key.key.stack.account,
    resourcePolicy: policy ?? key.policy,
    context: publication.context,
  });
}

function keyPolicyOf(publication: Publication): any {
  const topic = model.resourceByArn(publication.topicArn);
  return keyByArn(model, model.resolve(topic.stack, topic.props.KmsMasterKeyId)).policy;
}

const alarmPublications: Publication[] = model.resources('AWS::CloudWatch::Alarm').flatMap((alarm) => {
  const actions: string[] = ['AlarmActions', 'OKActions', 'InsufficientDataActions'].flatMap((property) =>
    model.resolve(alarm.stack, alarm.props[property] ?? []),
  );
  return [...new Set(actions)]
    .filter((action) => action.includes(':sns:'))
    .map((topicArn) => ({
      name: `alarm ${model.nameOf(alarm)}`,
      caller: serviceCaller('cloudwatch.amazonaws.com'),
      topicArn,
      context: { 'aws:SourceAccount': alarm.stack.account, 'aws:SourceArn': model.arnOf(alarm) },
    }));
});

const ruleNotifications: Publication[] = model
  .resources('AWS::CodeStarNotifications::NotificationRule')
  .flatMap((rule) =>
    model
      .resolve(rule.stack, rule.props.Targets)
      .filter((target: any) => target.TargetType === 'SNS')
      .map((target: any) => ({
        name: `notification rule ${model.nameOf(rule)}`,
        caller: serviceCaller('codestar-notifications.amazonaws.com'),
        topicArn: target.TargetAddress,
        context: { 'aws:SourceAccount': rule.stack.account, 'aws:SourceArn': model.arnOf(rule) },
      })),
  );

const approvalNotifications: Publication[] = model.resources('AWS::CodePipeline::Pipeline').flatMap((pipeline) =>
  model
    .resolve(pipeline.stack, pipeline.props.Stages)
    .flatMap((stage: any) => stage.Actions)
    .filter((action: any) => action.ActionTypeId.Category === 'Approval' && action.Configuration?.NotificationArn)
    .map((action: any) => ({
      name: `approval ${action.Name}`,
      caller: roleCaller(model, model.resourceByArn(action.RoleArn)),
      topicArn: action.Configuration.NotificationArn,
      context: {},
    })),
);

/** Roles granted `sns:Publish` on a topic of the app (the approval actions, the permission-broadening check). */
const grantedPublications: Publication[] = model.resources('AWS::IAM::Role').flatMap((role) => {
  const caller = roleCaller(model, role);
  const topics = caller.identityPolicies
    .flatMap((named) => [named.policy.Statement].flat())
    .filter((s: any) => s.Effect === 'Allow' && [s.Action].flat().includes('sns:Publish'))
    .flatMap((s: any) => [s.Resource].flat());
  return [...new Set<string>(topics)].map((topicArn) => ({
    name: `role ${model.nameOf(role)}`,
    caller,
    topicArn,
    context: {},
  }));
});

describe.each([
  ['CloudWatch alarm actions', alarmPublications],
  ['CodeStar Notifications rules', ruleNotifications],
  ['approval actions', approvalNotifications],
  ['roles granted sns:Publish', grantedPublications],
])('%s', (_kind, publications) => {
  test('the walk of the templates finds some', () => {
    expect(publications.length).toBeGreaterThan(0);
  });

  test.each(publications.map((p) => [p.name, p] as const))(
    '%s may publish to its topic',
    async (_name, publication) => {
      expect(await publish(publication)).toBe('Allowed');
    },
  );

  test.each(publications.map((p) => [p.name, p] as const))(
    "%s may use its topic's key to encrypt the message",
    async (_name, publication) => {
      expect(await useKey(publication, 'kms:GenerateDataKey')).toBe('Allowed');
      expect(await useKey(publication, 'kms:Decrypt')).toBe('Allowed');
    },
  );
});

describe('the topics admit services for this account only', () => {
  const [alarm] = alarmPublications;
  const [rule] = ruleNotifications;
  const foreign = (publication: Publication): Publication => ({
    ...publication,
    context: {
      'aws:SourceAccount': '999999999999',
      'aws:SourceArn': publication.context['aws:SourceArn'].replace(/:\d{12}:/, ':999999999999:'),
    },
  });

  test("rejects another account's alarm", async () => {
    expect(await publish(foreign(alarm))).not.toBe('Allowed');
    expect(await useKey(foreign(alarm), 'kms:GenerateDataKey')).not.toBe('Allowed');
  });

  test("rejects another account's notification rule", async () => {
    expect(await publish(foreign(rule))).not.toBe('Allowed');
  });

  test('rejects CodeStar Notifications on the alarm topic, which it does not notify', async () => {
    expect(await publish({ ...rule, topicArn: alarm.topicArn })).not.toBe('Allowed');
  });
});

describe('the suite fails when a grant is removed', () => {
  const [alarm] = alarmPublications;
  const [rule] = ruleNotifications;
  const [approval] = approvalNotifications;
  const allowsFor = (service: string) => (statement: any) =>
    statement.Effect === 'Allow' && namesPrincipal(statement, service);

  test("fails an alarm once the topic policy loses CloudWatch's grant", async () => {
    const policy = withoutStatements(topicPolicy(model, alarm.topicArn), allowsFor('cloudwatch.amazonaws.com'));
    expect(await publish(alarm, policy)).toBe('ImplicitlyDenied');
  });

  test("fails an alarm once the key policy loses CloudWatch's grant", async () => {
    const policy = withoutStatements(keyPolicyOf(alarm), allowsFor('cloudwatch.amazonaws.com'));
    expect(await useKey(alarm, 'kms:GenerateDataKey', policy)).toBe('ImplicitlyDenied');
  });

  test("fails a notification rule once the topic policy loses CodeStar Notifications' grant", async () => {
    const policy = withoutStatements(
      topicPolicy(model, rule.topicArn),
      allowsFor('codestar-notifications.amazonaws.com'),
    );
    expect(await publish(rule, policy)).toBe('ImplicitlyDenied');
  });

  test("fails an approval once its role loses the topic's grant", async () => {
    const caller = {
      ...approval.caller,
      identityPolicies: approval.caller.identityPolicies.map((named) => ({
        ...named,
        policy: {
          ...named.policy,
          Statement: [named.policy.Statement].flat().filter((s: any) => s.Action !== 'sns:Publish'),
        },
      })),
    };
    expect(await publish({ ...approval, caller })).toBe('ImplicitlyDenied');
  });
});
