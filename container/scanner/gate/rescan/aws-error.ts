import { EXIT, GateError } from '../errors';

// Apart from aws.ts, so that what only reads an AwsError (the Security Hub and state modules) does
// not load the AWS SDK with it.

/** An AWS call that failed: the service's error code (`NoSuchKey`) when it named one. */
export class AwsError extends GateError {
  constructor(
    readonly awsCode: string | undefined,
    message: string,
  ) {
    super(EXIT.failed, message);
  }
}
