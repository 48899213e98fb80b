import { DeadlineError } from './deadline';

/**
 * The gate's exit codes (its contract, docs/operations.md): every way out of the gate is one of
 * these, chosen explicitly; anything unexpected becomes {@link EXIT.internal}.
 */
export const EXIT = {
  passed: 0,
  vulnerable: 1,
  badInput: 2,
  badAllowlist: 3,
  credentials: 4,
  failed: 5,
  notReady: 6,
  notCovered: 7,
  internal: 70,
} as const;

/** An exit code of the gate. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure with its exit code and the one clear line the gate prints for it. */
export class GateError extends Error {
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

/** Throws a {@link GateError}: the gate's `die`. */
export function fail(code: ExitCode, message: string): never {
  throw new GateError(code, message);
}

/**
 * The exit code and the one-line message for whatever ended a run: a GateError's own, the
 * deadline as a failure (5), anything else an internal error that fails closed (70).
 */
export function exitFor(error: unknown): { code: ExitCode; message: string } {
  if (error instanceof GateError) return { code: error.code, message: error.message };
  if (error instanceof DeadlineError) return { code: EXIT.failed, message: (error as Error).message };
  return {
    code: EXIT.internal,
    message: `internal error: ${(error as Error)?.message ?? String(error)}; failing closed`,
  };
}
