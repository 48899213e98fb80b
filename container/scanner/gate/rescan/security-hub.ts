import * as crypto from 'crypto';
import type { RescanAws } from './aws';
import { AwsError } from './aws-error';
import { KeptFinding } from './scan';
import { ImportedFinding } from './state';

/** BatchImportFindings takes at most 100 findings a request. */
export const MAX_FINDINGS_PER_REQUEST = 100;
/** And at most 240 KB a finding. */
export const MAX_FINDING_BYTES = 240 * 1024;
/** How often failed findings and throttled requests are tried again. */
const RETRIES = 3;
const THROTTLED = new Set(['TooManyRequestsException', 'ThrottlingException', 'LimitExceededException']);

/** Where findings are imported: the account's default product (a custom integration). */
export interface HubTarget {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** A Security Hub finding to import. */
export type Asff = Record<string, unknown> & { readonly Id: string };

/** A finding Security Hub refused, after the retries. */
export interface FailedFinding {
  readonly Id: string;
  readonly ErrorCode: string;
  readonly ErrorMessage: string;
}

/** The stable Id of an image digest × vulnerability × package: the same finding every rescan. */
export function findingId(target: HubTarget, image: string, f: KeptFinding): string {
  const hash = crypto
    .createHash('sha256')
    .update(JSON.stringify([image, f.id, f.package]))
    .digest('hex');
  return `clair-pipeline/rescan/${target.account}/${target.region}/${hash.slice(0, 40)}`;
}

const LABELS: Record<string, string> = {
  Defcon1: 'CRITICAL',
  Critical: 'CRITICAL',
  High: 'HIGH',
  Medium: 'MEDIUM',
  Low: 'LOW',
  Negligible: 'INFORMATIONAL',
  Unknown: 'INFORMATIONAL',
};
const ECR_IMAGE = /^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)@(sha256:[0-9a-f]{64})$/;
const TYPE = 'Software and Configuration Checks/Vulnerabilities/CVE';

/** The image as a Security Hub resource: an ECR image with its details, else `Other`. */
function resource(target: HubTarget, image: string) {
  const ecr = ECR_IMAGE.exec(image);
  if (!ecr) return { Type: 'Other', Id: image, Partition: target.partition, Region: target.region };
  const [, registry, region, repository, digest] = ecr;
  return {
    Type: 'AwsEcrContainerImage',
    Id: `arn:${target.partition}:ecr:${region}:${registry}:repository/${repository}/${digest}`,
    Partition: target.partition,
    Region: region,
    Details: { AwsEcrContainerImage: { RegistryId: registry, RepositoryName: repository, ImageDigest: digest } },
  };
}

/** A finding in the AWS Security Finding Format; ARCHIVED closes it. */
export function asff(target: HubTarget, imported: ImportedFinding, updatedAt: string, archived: boolean): Asff {
  const f = imported.finding;
  const title = `${f.id} in ${f.package} ${f.version}`.slice(0, 256);
  return {
    SchemaVersion: '2018-10-08',
    Id: imported.id,
    ProductArn: `arn:${target.partition}:securityhub:${target.region}:${target.account}:product/${target.account}/default`,
    GeneratorId: 'clair-pipeline/rescan',
    AwsAccountId: target.account,
    CreatedAt: imported.createdAt,
    UpdatedAt: updatedAt,
    Title: title,
    Description: (f.description || title).slice(0, 1024),
    FindingProviderFields: {
      Severity: { Label: LABELS[f.severity] ?? 'INFORMATIONAL', Original: f.severity },
      Types: [TYPE],
    },
    ...(f.link ? { SourceUrl: f.link } : {}),
    ProductFields: {
      'clair-pipeline/image': imported.image,
      'clair-pipeline/where': imported.where.join(', ').slice(0, 1024) || 'nowhere',
    },
    Resources: [resource(target, imported.image)],
    Vulnerabilities: [
      {
        Id: f.id,
        VulnerablePackages: [
          { Name: f.package, Version: f.version, ...(f.fixedBy ? { FixedInVersion: f.fixedBy } : {}) },
        ],
        FixAvailable: f.fixedBy ? 'YES' : 'NO',
        ...(f.link ? { ReferenceUrls: [f.link] } : {}),
      },
    ],
    RecordState: archived ? 'ARCHIVED' : 'ACTIVE',
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How {@link importFindings} tries again. */
export interface Retrying {
  /** The wait before the first retry, in milliseconds; each retry after it waits twice as long. */
  readonly backoffMs: number;
  /** Told before each retry: how many findings, and how long it waits. */
  readonly say?: (line: string) => void;
}

/**
 * Imports findings, at most 100 a request; a request that is throttled and the findings the answer
 * lists as failed are tried again (up to 3 times, waiting `backoffMs`, then twice and four times as
 * long), and those still failing are returned, never dropped. A finding over 240 KB is never sent
 * and is returned as failed.
 */
export async function importFindings(aws: RescanAws, findings: Asff[], retrying: Retrying): Promise<FailedFinding[]> {
  const failed: FailedFinding[] = [];
  let pending = findings.filter((f) => {
    const bytes = Buffer.byteLength(JSON.stringify(f));
    if (bytes <= MAX_FINDING_BYTES) return true;
    failed.push({
      Id: f.Id,
      ErrorCode: 'FindingTooLarge',
      ErrorMessage: `${bytes} bytes, more than ${MAX_FINDING_BYTES}`,
    });
    return false;
  });
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 0) {
      const wait = retrying.backoffMs * 2 ** (attempt - 1);
      retrying.say?.(
        `Security Hub: ${pending.length} finding${pending.length === 1 ? '' : 's'} throttled or refused; retry ${attempt} of ${RETRIES} in ${wait} ms`,
      );
      await sleep(wait);
    }
    const last = attempt === RETRIES;
    const retry: Asff[] = [];
    for (let i = 0; i < pending.length; i += MAX_FINDINGS_PER_REQUEST) {
      const batch = pending.slice(i, i + MAX_FINDINGS_PER_REQUEST);
      let answer;
      try {
        answer = await aws.batchImportFindings(batch);
      } catch (error) {
        if (!(error instanceof AwsError) || !THROTTLED.has(error.awsCode ?? '') || last) throw error;
        retry.push(...batch);
        continue;
      }
      const refused = new Map<string, FailedFinding>(
        ((answer.FailedFindings ?? []) as FailedFinding[]).map((f) => [f.Id, f]),
      );
      if (refused.size === 0 && (answer.FailedCount ?? 0) > 0) {
        throw new AwsError(undefined, `Security Hub failed ${answer.FailedCount} findings without naming them`);
      }
      for (const finding of batch.filter((f) => refused.has(f.Id))) {
        if (last) failed.push(refused.get(finding.Id)!);
        else retry.push(finding);
      }
    }
    pending = retry;
  }
  return failed;
}
