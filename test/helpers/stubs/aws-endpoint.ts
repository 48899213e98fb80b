import * as http from 'http';
import { AddressInfo } from 'net';
import * as zlib from 'zlib';

/** A container of an ECS task, as DescribeTasks reports it. */
export interface EcsContainer {
  readonly name: string;
  readonly image: string;
  readonly imageDigest?: string;
}

/** A task of the stand-in's ECS. */
export interface EcsTask {
  readonly taskArn: string;
  readonly group: string;
  readonly containers: EcsContainer[];
}

/** An object the stand-in's S3 holds, with the encryption headers it was written with. */
export interface S3Object {
  readonly body: Buffer;
  readonly encryption?: string;
  readonly kmsKeyId?: string;
}

/** One request the stand-in answered: the service (from the signature's scope) and operation. */
export interface AwsRequest {
  readonly service: string;
  readonly operation: string;
}

/** A Security Hub refusal of one finding. */
export interface HubRefusal {
  readonly ErrorCode: string;
  readonly ErrorMessage: string;
}

const XML = 'text/xml';
/** Where the stand-in serves container credentials, as CodeBuild does (AWS_CONTAINER_CREDENTIALS_FULL_URI). */
const CONTAINER_CREDENTIALS_PATH = '/container-credentials';
/** The session token of those credentials: every signed request must carry it. */
export const SESSION_TOKEN = 'stand-in-session-token';

/**
 * A local stand-in for the AWS endpoints the rescan calls, behind the AWS SDK clients the rescan
 * bundles (AWS_ENDPOINT_URL pointed here), in the protocols of their service models: ECS (JSON 1.1:
 * ListClusters, ListTasks, DescribeTasks), S3 (REST-XML, path style, which the SDK uses for an
 * IP-address endpoint: GetObject, PutObject, ListObjectsV2 in one page), SNS (query: Publish), CloudWatch (JSON 1.0:
 * PutMetricData) and Security Hub (REST-JSON: BatchImportFindings, with its limits checked and
 * refusals and throttling on demand). It also serves container credentials, as CodeBuild does, and
 * refuses a signed request without their session token. The service is read from the request's
 * SigV4 scope, so a request the SDK did not sign for that service is never answered as it. Anything
 * else is a 400 the SDK reports, and is recorded.
 */
export class StubAwsEndpoint {
  /** Starts a stand-in on a free port. */
  static async start(): Promise<StubAwsEndpoint> {
    const stub = new StubAwsEndpoint();
    // AWS keeps an idle connection open far longer than Node's 5 s; the SDK reuses its connections,
    // and one closed under it would be a failure AWS never causes (with AWS_MAX_ATTEMPTS=1).
    stub.server.keepAliveTimeout = 10 * 60_000;
    await new Promise<void>((resolve) => stub.server.listen(0, '127.0.0.1', resolve));
    return stub;
  }

  readonly requests: AwsRequest[] = [];
  /** ECS: tasks by cluster ARN. */
  readonly clusters = new Map<string, EcsTask[]>();
  /** S3: objects by `bucket/key`. */
  readonly objects = new Map<string, S3Object>();
  readonly published: Array<Record<string, string>> = [];
  readonly metrics: Array<{ Namespace: string; MetricData: Array<Record<string, any>> }> = [];
  /** Every BatchImportFindings request's findings, as received. */
  readonly imports: Array<Array<Record<string, any>>> = [];
  /** Security Hub's findings by Id (the last import of each). */
  readonly findings = new Map<string, Record<string, any>>();
  /** Findings Security Hub refuses, by Id: `times` more times (Infinity: always). */
  readonly refuse = new Map<string, { times: number; refusal: HubRefusal }>();
  /** How many more BatchImportFindings requests are throttled (HTTP 429). */
  throttle = 0;
  /** How often the container credentials were asked for. */
  credentialRequests = 0;

  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        this.answer(req, Buffer.concat(chunks), res);
      } catch (error) {
        this.send(res, 500, 'application/json', JSON.stringify({ message: String(error) }));
      }
    });
  });

  private constructor() {}

  /** The endpoint URL for the SDK. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The URL of its container credentials, for AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  get credentialsUrl(): string {
    return `${this.url}${CONTAINER_CREDENTIALS_PATH}`;
  }

  /** Runs a task in a cluster. */
  runTask(clusterArn: string, task: EcsTask): this {
    this.clusters.set(clusterArn, [...(this.clusters.get(clusterArn) ?? []), task]);
    return this;
  }

  /** The requests for one operation. */
  calls(operation: string): AwsRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  /** Stops the server. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }

  private send(res: http.ServerResponse, status: number, type: string, body: string, headers = {}): void {
    res.writeHead(status, { 'Content-Type': type, ...headers });
    res.end(body);
  }

  /** S3 ListObjectsV2 of a bucket: every key under the prefix, in one page (sorted, as S3 lists). */
  private listObjects(bucket: string, url: URL, res: http.ServerResponse): void {
    this.requests.push({ service: 's3', operation: 'ListObjectsV2' });
    const prefix = `${bucket}/${url.searchParams.get('prefix') ?? ''}`;
    const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const contents = [...this.objects]
      .filter(([path]) => path.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(
        ([path, o]) =>
          `<Contents><Key>${xml(path.slice(bucket.length + 1))}</Key><Size>${o.body.length}</Size></Contents>`,
      );
    this.send(
      res,
      200,
      XML,
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(bucket)}</Name><Prefix>${xml(url.searchParams.get('prefix') ?? '')}</Prefix><KeyCount>${contents.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents.join('')}</ListBucketResult>`,
    );
  }

  private answer(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const scope = /Credential=[^/]+\/[0-9]{8}\/[a-z0-9-]+\/([a-z0-9-]+)\/aws4_request/.exec(
      String(req.headers.authorization ?? ''),
    );
    const service = scope?.[1] ?? 'unsigned';
    const target = String(req.headers['x-amz-target'] ?? '');
    const url = new URL(req.url ?? '/', 'http://stub');
    const record = (operation: string) => this.requests.push({ service, operation });
    const json = (status: number, value: unknown, type = 'application/x-amz-json-1.1', headers = {}) =>
      this.send(res, status, type, JSON.stringify(value), headers);

    if (service === 'unsigned' && req.method === 'GET' && url.pathname === CONTAINER_CREDENTIALS_PATH) {
      this.credentialRequests++;
      return json(
        200,
        {
          AccessKeyId: 'ASIASTANDIN',
          SecretAccessKey: 'stand-in-secret',
          Token: SESSION_TOKEN,
          Expiration: new Date(Date.now() + 3600_000).toISOString(),
        },
        'application/json',
      );
    }
    if (service !== 'unsigned' && req.headers['x-amz-security-token'] !== SESSION_TOKEN) {
      record(`unexpected credentials for ${service}`);
      return json(403, { __type: 'UnrecognizedClientException', message: 'stand-in: not its session token' });
    }

    if (service === 'ecs' && target.startsWith('AmazonEC2ContainerServiceV20141113.')) {
      const operation = target.split('.')[1];
      record(operation);
      const input = JSON.parse(body.toString('utf8') || '{}');
      if (operation === 'ListClusters') return json(200, { clusterArns: [...this.clusters.keys()] });
      const tasks = this.clusters.get(input.cluster);
      if (!tasks) return json(400, { __type: 'ClusterNotFoundException', message: 'Cluster not found.' });
      if (operation === 'ListTasks') {
        if (input.desiredStatus !== 'RUNNING')
          return json(400, { __type: 'InvalidParameterException', message: 'desiredStatus' });
        return json(200, { taskArns: tasks.map((t) => t.taskArn) });
      }
      if (operation === 'DescribeTasks') {
        if (!Array.isArray(input.tasks) || input.tasks.length > 100) {
          return json(400, { __type: 'InvalidParameterException', message: 'at most 100 tasks' });
        }
        const found = tasks.filter((t) => input.tasks.includes(t.taskArn));
        return json(200, {
          tasks: found.map((t) => ({
            ...t,
            clusterArn: input.cluster,
            lastStatus: 'RUNNING',
            desiredStatus: 'RUNNING',
          })),
          failures: [],
        });
      }
    }
    if (service === 's3') {
      const key = decodeURIComponent(url.pathname.slice(1));
      if (req.method === 'GET' && url.searchParams.get('list-type') === '2') {
        // The bucket's path: the SDK writes it with a trailing slash.
        return this.listObjects(key.replace(/\/$/, ''), url, res);
      }
      if (req.method === 'GET') {
        record('GetObject');
        const object = this.objects.get(key);
        if (!object) {
          return this.send(
            res,
            404,
            XML,
            `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${key}</Key></Error>`,
          );
        }
        return this.send(res, 200, 'application/json', object.body.toString('utf8'), { ETag: '"1"' });
      }
      if (req.method === 'PUT') {
        record('PutObject');
        // As S3 does: a body whose checksum (the SDK sends one) is not the one sent is refused.
        const crc32 = req.headers['x-amz-checksum-crc32'];
        const digest = Buffer.alloc(4);
        digest.writeUInt32BE(zlib.crc32(body));
        if (req.headers['content-encoding'] === 'aws-chunked' || (crc32 && crc32 !== digest.toString('base64'))) {
          return this.send(
            res,
            400,
            XML,
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>BadDigest</Code><Message>stand-in: checksum</Message></Error>',
          );
        }
        this.objects.set(key, {
          body,
          encryption: req.headers['x-amz-server-side-encryption'] as string | undefined,
          kmsKeyId: req.headers['x-amz-server-side-encryption-aws-kms-key-id'] as string | undefined,
        });
        return this.send(res, 200, XML, '', { ETag: '"1"' });
      }
    }
    if (service === 'sns') {
      const form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      record(form.Action);
      if (form.Action === 'Publish') {
        this.published.push(form);
        return this.send(
          res,
          200,
          XML,
          `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-${this.published.length}</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>`,
        );
      }
    }
    if (service === 'monitoring' && target === 'GraniteServiceVersion20100801.PutMetricData') {
      record('PutMetricData');
      this.metrics.push(JSON.parse(body.toString('utf8')));
      return json(200, {}, 'application/x-amz-json-1.0');
    }
    if (service === 'securityhub' && req.method === 'POST' && url.pathname === '/findings/import') {
      record('BatchImportFindings');
      if (this.throttle > 0) {
        this.throttle--;
        return json(429, { message: 'Rate exceeded' }, 'application/json', {
          'x-amzn-ErrorType': 'TooManyRequestsException',
        });
      }
      const findings: Array<Record<string, any>> = JSON.parse(body.toString('utf8')).Findings;
      this.imports.push(findings);
      if (findings.length > 100 || findings.some((f) => Buffer.byteLength(JSON.stringify(f)) > 240 * 1024)) {
        return json(400, { message: 'Findings: at most 100, each at most 240 KB' }, 'application/json', {
          'x-amzn-ErrorType': 'InvalidInputException',
        });
      }
      const failed: Array<HubRefusal & { Id: string }> = [];
      for (const finding of findings) {
        const refusal = this.refuse.get(finding.Id);
        if (refusal && refusal.times > 0) {
          refusal.times--;
          failed.push({ Id: finding.Id, ...refusal.refusal });
        } else this.findings.set(finding.Id, finding);
      }
      return json(
        200,
        { FailedCount: failed.length, SuccessCount: findings.length - failed.length, FailedFindings: failed },
        'application/json',
      );
    }
    record(`unexpected ${req.method} ${req.url} ${target}`);
    return json(400, { __type: 'UnknownOperationException', message: `stand-in: unexpected ${service} request` });
  }
}
