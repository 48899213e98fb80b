import { CloudModel, ModelResource } from './cloud-model';

/** The resolved policy of an `AWS::SNS::TopicPolicy`, `AWS::S3::BucketPolicy`, … that names the target. */
function policyNaming(model: CloudModel, type: string, property: string, target: string): any {
  const policies = model
    .resources(type)
    .filter((policy) => [model.resolve(policy.stack, policy.props[property])].flat().includes(target));
  if (policies.length !== 1) throw new Error(`expected one ${type} for ${target}, found ${policies.length}`);
  return model.resolve(policies[0].stack, policies[0].props.PolicyDocument);
}

/** A topic's policy (it replaces SNS's default one). */
export function topicPolicy(model: CloudModel, topicArn: string): any {
  return policyNaming(model, 'AWS::SNS::TopicPolicy', 'Topics', topicArn);
}

/** A bucket's policy, by bucket name. */
export function bucketPolicy(model: CloudModel, bucketName: string): any {
  return policyNaming(model, 'AWS::S3::BucketPolicy', 'Bucket', bucketName);
}

/** A customer-managed key of the app with its key policy, by ARN. */
export function keyByArn(model: CloudModel, keyArn: string): { key: ModelResource; policy: any } {
  const key = model.resourceByArn(keyArn);
  return { key, policy: model.resolve(key.stack, key.props.KeyPolicy) };
}
