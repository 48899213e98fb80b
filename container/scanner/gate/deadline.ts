/**
 * One deadline for the whole scan (SCAN_DEADLINE_SECONDS): klar, the registry and Clair are each
 * bounded per request, but a scan of many slow requests is not (reference/hostile-inputs.md, D9).
 * Every wait of the gate is cut at this deadline, which lies inside the scanner build's timeout,
 * so the gate still writes its verdict and reports when it passes.
 */
export class Deadline {
  private readonly end: number;

  constructor(
    /** The whole budget, in seconds. */
    readonly seconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.end = now() + seconds * 1000;
  }

  /** Milliseconds left; 0 once past. */
  remainingMs(): number {
    return Math.max(0, this.end - this.now());
  }

  /** Throws {@link DeadlineError} once past, naming what was running. */
  check(what: string): void {
    if (this.remainingMs() === 0) throw new DeadlineError(this.seconds, what);
  }
}

/** The scan ran past its deadline. */
export class DeadlineError extends Error {
  constructor(seconds: number, what: string) {
    super(`the scan ran past its deadline of ${seconds} s (SCAN_DEADLINE_SECONDS) while ${what}`);
  }
}
