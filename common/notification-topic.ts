import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
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
 * e-mail subscription. AWS services that publish through service principals (CodeStar
 * Notifications for the pipeline, CloudWatch alarms and EventBridge in the environments) may use
 * the key; every topic that notifies people is one of these, so all share the same settings.
 */
export class NotificationTopic extends Construct {
  /** The topic to publish to. */
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: NotificationTopicProps) {
    super(scope, id);
    const key = newRotatingKey(this, 'Key', `Encrypts the ${props.displayName} topic`);
    // Service principals cannot use a key whose policy does not name them; scope to this account.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowNotifyingServices',
        principals: ['codestar-notifications.amazonaws.com', 'cloudwatch.amazonaws.com', 'events.amazonaws.com'].map(
          (service) => new iam.ServicePrincipal(service),
        ),
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.displayName,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.email) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    }
  }
}
