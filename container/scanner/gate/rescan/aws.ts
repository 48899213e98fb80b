import { CloudWatchClient, MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeTasksCommand,
  DescribeTasksCommandOutput,
  ECSClient,
  paginateListClusters,
  paginateListTasks,
} from '@aws-sdk/client-ecs';
import { GetObjectCommand, PutObjectCommand, S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import {
  AwsSecurityFinding,
  BatchImportFindingsCommand,
  BatchImportFindingsCommandOutput,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Deadline, DeadlineError } from '../deadline';
import { AwsError } from './aws-error';

/**
 * The AWS SDK says once per process that it will drop Node 18, the Node of the scanner image's
 * pinned Debian (docs/design.md, "The rescan's AWS calls"); that line is known and not the rescan's
 * to print. Every other warning is printed as Node prints it.
 */
let quieted = false;
function quietNode18Notice(): void {
  if (quieted) return;
  quieted = true;
  const emit = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: any[]) {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.startsWith('NodeDeprecationWarning: The AWS SDK for JavaScript (v3) will')) return;
    return (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
}

/**
 * The AWS calls of the rescan, one method each, made in this process by the AWS SDK for JavaScript
 * v3 (bundled into rescan-images.js) in one region. The SDK reads the rest as the CLI did, from the
 * environment: credentials (CodeBuild's container credentials), AWS_ENDPOINT_URL, AWS_MAX_ATTEMPTS.
 * Every call is cut at the deadline; a failed call is an {@link AwsError} with the service's code.
 */
export class RescanAws {
  private readonly ecs: ECSClient;
  private readonly s3: S3Client;
  private readonly sns: SNSClient;
  private readonly cloudwatch: CloudWatchClient;
  private readonly securityHub: SecurityHubClient;

  constructor(
    region: string,
    private readonly deadline: Deadline,
  ) {
    quietNode18Notice();
    this.ecs = new ECSClient({ region });
    this.s3 = new S3Client({ region });
    this.sns = new SNSClient({ region });
    this.cloudwatch = new CloudWatchClient({ region });
    this.securityHub = new SecurityHubClient({ region });
  }

  /** ECS ListClusters, every page: the clusters' ARNs. */
  listClusters(): Promise<string[]> {
    return this.call('ecs list-clusters', async (abortSignal) => {
      const arns: string[] = [];
      for await (const page of paginateListClusters({ client: this.ecs }, {}, { abortSignal })) {
        arns.push(...(page.clusterArns ?? []));
      }
      return arns;
    });
  }

  /** ECS ListTasks of one cluster, desired status RUNNING, every page: the tasks' ARNs. */
  listRunningTasks(cluster: string): Promise<string[]> {
    return this.call('ecs list-tasks', async (abortSignal) => {
      const arns: string[] = [];
      const pages = paginateListTasks({ client: this.ecs }, { cluster, desiredStatus: 'RUNNING' }, { abortSignal });
      for await (const page of pages) arns.push(...(page.taskArns ?? []));
      return arns;
    });
  }

  /** ECS DescribeTasks (at most 100 tasks). */
  describeTasks(cluster: string, tasks: string[]): Promise<DescribeTasksCommandOutput> {
    return this.call('ecs describe-tasks', (abortSignal) =>
      this.ecs.send(new DescribeTasksCommand({ cluster, tasks }), { abortSignal }),
    );
  }

  /** S3 GetObject: the object's bytes. */
  getObject(bucket: string, key: string): Promise<Buffer> {
    return this.call('s3 get-object', async (abortSignal) => {
      const answer = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
      return Buffer.from((await answer.Body?.transformToByteArray()) ?? []);
    });
  }

  /** S3 ListObjectsV2 of the keys under a prefix, every page: each key with its size. */
  listObjects(bucket: string, prefix: string): Promise<Array<{ key: string; size: number }>> {
    return this.call('s3 list-objects-v2', async (abortSignal) => {
      const objects: Array<{ key: string; size: number }> = [];
      const pages = paginateListObjectsV2({ client: this.s3 }, { Bucket: bucket, Prefix: prefix }, { abortSignal });
      for await (const page of pages) {
        for (const object of page.Contents ?? []) objects.push({ key: object.Key ?? '', size: object.Size ?? 0 });
      }
      return objects;
    });
  }

  /** S3 PutObject of a JSON text, encrypted with the KMS key (SSE-KMS). */
  async putObject(bucket: string, key: string, json: string, kmsKey: string): Promise<void> {
    await this.call('s3 put-object', (abortSignal) =>
      this.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: json,
          ContentType: 'application/json',
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: kmsKey,
        }),
        { abortSignal },
      ),
    );
  }

  /** SNS Publish. */
  async publish(topicArn: string, subject: string, message: string): Promise<void> {
    await this.call('sns publish', (abortSignal) =>
      this.sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }), { abortSignal }),
    );
  }

  /** CloudWatch PutMetricData. */
  async putMetricData(namespace: string, data: MetricDatum[]): Promise<void> {
    await this.call('cloudwatch put-metric-data', (abortSignal) =>
      this.cloudwatch.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data }), { abortSignal }),
    );
  }

  /** Security Hub BatchImportFindings (at most 100 findings). */
  batchImportFindings(findings: Array<Record<string, unknown>>): Promise<BatchImportFindingsCommandOutput> {
    return this.call('securityhub batch-import-findings', (abortSignal) =>
      this.securityHub.send(new BatchImportFindingsCommand({ Findings: findings as unknown as AwsSecurityFinding[] }), {
        abortSignal,
      }),
    );
  }

  /** Closes the clients' connections. */
  close(): void {
    for (const client of [this.ecs, this.s3, this.sns, this.cloudwatch, this.securityHub]) client.destroy();
  }

  /** Runs one call, cut at the deadline; its failure as an {@link AwsError}. */
  private async call<T>(what: string, fn: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    this.deadline.check(`calling '${what}'`);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.deadline.remainingMs());
    try {
      return await fn(abort.signal);
    } catch (error) {
      if (abort.signal.aborted) throw new DeadlineError(this.deadline.seconds, `calling '${what}'`);
      const e = error as Error & { $metadata?: unknown };
      const code = e.$metadata !== undefined ? e.name : undefined;
      throw new AwsError(code, `'${what}' failed: ${code ? `${code}: ` : ''}${e.message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
