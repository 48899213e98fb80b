import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Deadline } from '../deadline';
import { EXIT, GateError } from '../errors';
import { run } from '../process';
import { Env } from '../settings';

/** The largest answer read from the AWS CLI. */
const MAX_AWS_ANSWER_BYTES = 64 * 1024 * 1024;

/** An AWS call the CLI reported as failed: its error code (`NoSuchKey`) when it printed one. */
export class AwsError extends GateError {
  constructor(
    readonly awsCode: string | undefined,
    message: string,
  ) {
    super(EXIT.failed, message);
  }
}

/**
 * The AWS calls of the rescan, made by the real AWS CLI (`aws`, Debian's awscli in the scanner
 * image) with the build's credentials, in one region, answers as JSON. Large parameters go through
 * files (`file://`), never the command line.
 */
export class AwsCli {
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rescan-aws-'));
  private files = 0;

  constructor(
    private readonly env: Env,
    private readonly region: string,
    private readonly deadline: Deadline,
  ) {}

  /** A `file://` parameter holding `text`. */
  file(text: string): string {
    const file = path.join(this.dir, `param-${++this.files}`);
    fs.writeFileSync(file, text);
    return `file://${file}`;
  }

  /** A path the CLI may write to (get-object's outfile). */
  outfile(): string {
    return path.join(this.dir, `out-${++this.files}`);
  }

  /** `aws <service> <operation> <args>`: its JSON answer ({} when it prints nothing), or {@link AwsError}. */
  async call(service: string, operation: string, args: string[]): Promise<any> {
    const what = `aws ${service} ${operation}`;
    let result;
    try {
      result = await run(
        'aws',
        [service, operation, ...args, '--region', this.region, '--output', 'json'],
        { ...this.env },
        { deadline: this.deadline, maxStdout: MAX_AWS_ANSWER_BYTES, what: `running '${what}'` },
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).syscall?.startsWith('spawn')) {
        throw new AwsError(undefined, `cannot run the AWS CLI: ${(error as Error).message}`);
      }
      throw error;
    }
    if (result.status !== 0) {
      const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
      const cause = lines[lines.length - 1] ?? `exit ${result.status}`;
      const code = /An error occurred \(([A-Za-z0-9.]+)\)/.exec(result.stderr)?.[1];
      throw new AwsError(code, `'${what}' failed: ${cause}`);
    }
    const out = result.stdout.trim();
    if (out === '') return {};
    try {
      return JSON.parse(out);
    } catch {
      throw new AwsError(undefined, `'${what}' answered something other than JSON`);
    }
  }

  /** Removes the parameter files. */
  close(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
