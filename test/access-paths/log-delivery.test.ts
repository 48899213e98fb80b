/**
 * Access logs reach their buckets: every S3 server access log and every load balancer access log
 * target of the default app, evaluated against the synthesized bucket policies.
 */
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { CloudModel, PARTITION } from './cloud-model';
import { AccessRequest, decide, namesPrincipal, serviceCaller, withAdminGrant, withoutStatements } from './evaluate';
import { bucketPolicy } from './resource-policies';

const model = CloudModel.ofDefaultApp();

/** One log delivery: who writes which object into which bucket. */
interface Delivery {
  readonly name: string;
  readonly targetBucket: string;
  readonly request: AccessRequest;
}

function deliver(delivery: Delivery, policy = bucketPolicy(model, delivery.targetBucket)) {
  return decide({ ...delivery.request, resourcePolicy: policy });
}

const s3Deliveries: Delivery[] = model
  .resources('AWS::S3::Bucket')
  .filter((source) => source.props.LoggingConfiguration)
  .map((source) => {
    const logging = model.resolve(source.stack, source.props.LoggingConfiguration);
    const target = model.resources('AWS::S3::Bucket').find((b) => model.nameOf(b) === logging.DestinationBucketName)!;
    return {
      name: `server access logs of ${source.logicalId}`,
      targetBucket: logging.DestinationBucketName,
      request: {
        caller: serviceCaller('logging.s3.amazonaws.com'),
        action: 's3:PutObject',
        resource: `arn:${PARTITION}:s3:::${logging.DestinationBucketName}/${logging.LogFilePrefix ?? ''}2026-12-01-10-00-00-0123456789ABCDEF`,
        resourceAccount: target.stack.account,
        context: { 'aws:SourceAccount': source.stack.account, 'aws:SourceArn': model.arnOf(source) },
      },
    };
  });

/**
 * Elastic Load Balancing writes as its regional account in the regions that have one, as the
 * log-delivery service principal in newer regions (the same table CDK uses).
 */
function elbLogWriter(region: string) {
  const account = RegionInfo.get(region).elbv2Account;
  if (!account) return serviceCaller('logdelivery.elasticloadbalancing.amazonaws.com');
  // An AWS account of its own: its side of the cross-account call allows the write.
  return withAdminGrant(
    {
      principal: `arn:${PARTITION}:iam::${account}:root`,
      identityPolicies: [],
      context: { 'aws:PrincipalAccount': account },
    },
    's3:PutObject',
  );
}

const elbDeliveries: Delivery[] = model.resources('AWS::ElasticLoadBalancingV2::LoadBalancer').flatMap((lb) => {
  const attributes = Object.fromEntries(
    model.resolve(lb.stack, lb.props.LoadBalancerAttributes ?? []).map((a: any) => [a.Key, a.Value]),
  );
  if (attributes['access_logs.s3.enabled'] !== 'true') return [];
  const bucket = attributes['access_logs.s3.bucket'];
  const prefix = attributes['access_logs.s3.prefix'] ? `${attributes['access_logs.s3.prefix']}/` : '';
  const { account, region } = lb.stack;
  return [
    {
      name: `access logs of load balancer ${lb.logicalId} (${lb.stack.displayPath})`,
      targetBucket: bucket,
      request: {
        caller: elbLogWriter(region),
        action: 's3:PutObject',
        resource: `arn:${PARTITION}:s3:::${bucket}/${prefix}AWSLogs/${account}/elasticloadbalancing/${region}/2026/12/01/${account}_elasticloadbalancing_${region}_app.clair.0123_20261201T1000Z_10.0.0.1_abc.log.gz`,
        resourceAccount: account,
      },
    },
  ];
});

describe.each([
  ['S3 server access logs', s3Deliveries],
  ['load balancer access logs', elbDeliveries],
])('%s', (_kind, deliveries) => {
  test('the walk of the templates finds some', () => {
    expect(deliveries.length).toBeGreaterThan(0);
  });

  test.each(deliveries.map((d) => [d.name, d] as const))('%s reach their bucket', async (_name, delivery) => {
    expect(await deliver(delivery)).toBe('Allowed');
  });
});

test('every access-log bucket of the app receives logs from something', () => {
  const targets = new Set([...s3Deliveries, ...elbDeliveries].map((d) => d.targetBucket));
  const logBuckets = model
    .resources('AWS::S3::Bucket')
    .filter(
      (bucket) =>
        bucket.props.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault
          ?.SSEAlgorithm === 'AES256',
    );
  expect(logBuckets.length).toBeGreaterThan(0);
  for (const bucket of logBuckets) expect(targets).toContain(model.nameOf(bucket));
});

describe('S3 logging is scoped to the source bucket', () => {
  test("rejects another bucket's server access logs", async () => {
    const [delivery] = s3Deliveries;
    const request = {
      ...delivery.request,
      context: { 'aws:SourceAccount': '999999999999', 'aws:SourceArn': `arn:${PARTITION}:s3:::someone-elses-bucket` },
    };
    expect(await deliver({ ...delivery, request })).toBe('ImplicitlyDenied');
  });
});

describe('the suite fails when a grant is removed', () => {
  test("fails S3 logging once the log bucket's policy loses the logging service's grant", async () => {
    const [delivery] = s3Deliveries;
    const policy = withoutStatements(
      bucketPolicy(model, delivery.targetBucket),
      (s) => s.Effect === 'Allow' && namesPrincipal(s, 'logging.s3.amazonaws.com'),
    );
    expect(await deliver(delivery, policy)).toBe('ImplicitlyDenied');
  });

  test("fails load balancer logging once the log bucket's policy loses the load balancer's grant", async () => {
    const [delivery] = elbDeliveries;
    const policy = withoutStatements(
      bucketPolicy(model, delivery.targetBucket),
      (s) => s.Effect === 'Allow' && [s.Action].flat().includes('s3:PutObject'),
    );
    expect(await deliver(delivery, policy)).toBe('ImplicitlyDenied');
  });
});
