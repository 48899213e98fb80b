import * as fs from 'fs';
import * as path from 'path';
import { DEPLOYED_POLICIES } from './deployed-policy';
import { EXIT, fail } from './errors';
import { junit } from './junit';
import { redact, safe } from './text';

/**
 * The files the gate writes into REPORT_DIR, and the directory of its deployed-policy records; a run
 * removes each one an earlier run left, so that no earlier record is uploaded as this run's.
 */
export const REPORT_FILES = ['klar.json', 'junit.xml', 'summary.txt', 'klar-whitelist.yaml'] as const;
const REPORT_ENTRIES = [...REPORT_FILES, DEPLOYED_POLICIES];

/**
 * REPORT_DIR: prepared before any scan (created, proven writable, emptied of earlier reports), so
 * that a stale PASS is never published as this run's result, and written whatever the outcome.
 */
export class Reports {
  private ready = false;

  constructor(
    readonly dir: string,
    private readonly image: string | undefined,
    private readonly clair: string,
  ) {}

  /**
   * Creates the directory and removes stale reports; fails with exit 2 naming the problem
   * (reference/hostile-inputs.md, D13). Reports it could not remove are overwritten by the error
   * reports, or named in the error.
   */
  prepare(): void {
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.accessSync(this.dir, fs.constants.W_OK);
    } catch (error) {
      fail(
        EXIT.badInput,
        `REPORT_DIR '${safe(this.dir)}' cannot be created or written: ${safe((error as Error).message)}`,
      );
    }
    // From here on the error reports replace whatever they can.
    this.ready = true;
    const stuck = REPORT_ENTRIES.filter((name) => {
      try {
        fs.rmSync(path.join(this.dir, name), { force: true, recursive: name === DEPLOYED_POLICIES });
        return false;
      } catch {
        return true;
      }
    });
    if (stuck.length > 0) {
      fail(
        EXIT.badInput,
        `REPORT_DIR '${safe(this.dir)}' holds reports of an earlier run that cannot be removed: ${stuck.join(', ')}`,
      );
    }
  }

  /** Writes one report file (redacted). */
  write(name: (typeof REPORT_FILES)[number], text: string): void {
    fs.writeFileSync(path.join(this.dir, name), redact(text));
  }

  /**
   * Writes a deployed-policy record at its key (`deployed-policies/<digest hex>/<hash>.json`, made
   * of hex digits only). Not redacted: it must hold the allowlist exactly as applied, and holds no secret.
   */
  writeRecord(key: string, text: string): void {
    const file = path.join(this.dir, key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }

  /**
   * A scan that ended in an error still leaves a failed summary and JUnit report behind, once the
   * directory is prepared; files that cannot be written are left out (the error is printed anyway).
   */
  writeError(message: string): void {
    if (!this.ready) return;
    const suite = this.image ?? 'Clair readiness';
    const summary = `Scan gate summary\n  image:      ${safe(this.image ?? 'none')}\n  clair:      ${safe(this.clair)}\nVerdict: ERROR: ${safe(message)}\n`;
    const report = junit(suite, [{ classname: 'scan-gate', name: `scan of ${suite}`, error: message }]);
    for (const [name, text] of [
      ['summary.txt', summary],
      ['junit.xml', report],
    ] as const) {
      try {
        this.write(name, text);
      } catch {
        // Printed on stderr by the caller in any case.
      }
    }
  }
}
