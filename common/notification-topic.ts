import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as codestarnotifications from 'aws-cdk-lib/aws-codestarnotifications';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { newRotatingKey } from './kms';

/** Properties of a {@link NotificationTopic}. */
export interface NotificationTopicProps {
  /** Shown as the sender of e-mails. */
  readonly displayName: string;
  /** Subscribe this address (the recipient must confirm). @default no subscription */
  readonly email?: string;
}

/**
 * An SNS topic for humans: encrypted with its own rotating KMS key, TLS-only, optionally with an
 * e-mail subscription. Its policy replaces SNS's default one, so an AWS service may publish only
 * once the topic is wired to it through {@link alarmAction} or as a notification rule target,
 * which allow that service, for this account's sources only, in the topic and key policies. IAM
 * principals of this account publish through their own grants (`topic.grantPublish`).
 */
export class NotificationTopic extends Construct implements codestarnotifications.INotificationRuleTarget {
  /** The topic to publish to. */
  public readonly topic: sns.Topic;
  private readonly key: kms.Key;
  private readonly allowedServices = new Set<string>();

  constructor(scope: Construct, id: string, props: NotificationTopicProps) {
    super(scope, id);
    this.key = newRotatingKey(this, 'Key', `Encrypts the ${props.displayName} topic`);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.displayName,
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.email) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    }
  }

  /** The topic as an alarm (or OK) action: lets this account's CloudWatch alarms publish. */
  public alarmAction(): cloudwatch.IAlarmAction {
    const alarms = Stack.of(this).formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.allowService('cloudwatch.amazonaws.com', { ArnLike: { 'aws:SourceArn': alarms } });
    return new actions.SnsAction(this.topic);
  }

  /**
   * The topic as a CodeStar Notifications target (e.g. `pipeline.notifyOn`): lets this account's
   * notification rules publish. Replaces the topic's own binding, which allows the service for
   * every account.
   */
  public bindAsNotificationRuleTarget(): codestarnotifications.NotificationRuleTargetConfig {
    this.allowService('codestar-notifications.amazonaws.com', {});
    return { targetType: 'SNS', targetAddress: this.topic.topicArn };
  }

  /** Allows a service principal to publish (topic policy) and to use the key (key policy), for this account's sources. */
  private allowService(service: string, sourceConditions: Record<string, Record<string, string>>): void {
    if (this.allowedServices.has(service)) return;
    this.allowedServices.add(service);
    const principals = [new iam.ServicePrincipal(service)];
    const sid = `Allow${service.split('.')[0].replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`;
    const account = { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } };
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals,
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { ...account, ...sourceConditions },
      }),
    );
    // SNS encrypts the message with the key on the publisher's behalf.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals,
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: account,
      }),
    );
  }
}
