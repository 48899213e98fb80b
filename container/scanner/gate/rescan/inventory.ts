import { ImageRef } from '../image-ref';
import { RescanAws } from './aws';

/** An image to rescan: its reference, where it runs, or why it cannot be rescanned. */
export interface Target {
  /** `registry/repository@sha256:…` for what runs on ECS; as listed for listed images. */
  readonly uri: string;
  /** Where it runs (`<cluster>/<task group>`) or `listed in the configuration`. */
  readonly where: string[];
  /** Why the image cannot be rescanned (ECS reported no digest), or none. */
  readonly problem?: string;
}

/** Where a listed image "runs". */
export const LISTED = 'listed in the configuration';

/** DescribeTasks takes at most this many tasks. */
const DESCRIBE_TASKS_MAX = 100;

/** The last part of an ARN's resource (`…:cluster/prod` → `prod`). */
const nameOf = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

/**
 * What a container runs, by digest: the image name (tag and digest removed) with the digest ECS
 * reports (`imageDigest`, resolved at pull time), never the tag, which can move.
 */
export function byDigest(image: string, digest: string): string {
  const name = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  return `${name}@${digest}`;
}

/**
 * The images of every task this account runs in the region (ECS: every cluster, tasks whose desired
 * status is RUNNING), by digest, with the places they run; a container whose digest ECS does not
 * report (yet) is a target with a problem, never left out.
 */
export async function ecsTargets(aws: RescanAws): Promise<Target[]> {
  const found = new Map<string, { where: Set<string>; problem?: string }>();
  const add = (uri: string, where: string, problem?: string) => {
    const entry = found.get(uri) ?? { where: new Set<string>(), problem };
    entry.where.add(where);
    found.set(uri, entry);
  };
  for (const cluster of await aws.listClusters()) {
    const tasks = await aws.listRunningTasks(cluster);
    for (let i = 0; i < tasks.length; i += DESCRIBE_TASKS_MAX) {
      const answer = await aws.describeTasks(cluster, tasks.slice(i, i + DESCRIBE_TASKS_MAX));
      for (const task of answer.tasks ?? []) {
        const where = `${nameOf(cluster)}/${task.group ?? nameOf(String(task.taskArn))}`;
        for (const container of task.containers ?? []) {
          const image = String(container.image ?? '');
          if (container.imageDigest) add(byDigest(image, String(container.imageDigest)), where);
          else if (image.includes('@')) add(image, where);
          else add(image, where, `ECS reports no digest for ${image} (container ${container.name}) yet`);
        }
      }
      // MISSING: the task stopped between ListTasks and DescribeTasks; it no longer runs.
      for (const failure of (answer.failures ?? []).filter((f) => f.reason !== 'MISSING')) {
        add(String(failure.arn), nameOf(cluster), `ECS could not describe the task: ${failure.reason}`);
      }
    }
  }
  return [...found].map(([uri, { where, problem }]) => ({ uri, where: [...where].sort(), problem }));
}

/** The targets: what runs (when ECS is asked) and what is listed, each image once. */
export async function targets(aws: RescanAws | undefined, listed: ImageRef[]): Promise<Target[]> {
  const all = aws ? await ecsTargets(aws) : [];
  for (const image of listed) {
    const running = all.findIndex((t) => t.uri === image.uri);
    if (running < 0) all.push({ uri: image.uri, where: [LISTED] });
    else all[running] = { ...all[running], where: [...all[running].where, LISTED] };
  }
  return all.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
}
