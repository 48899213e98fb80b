import * as fs from 'fs';
import * as path from 'path';
import { FIXTURE_ASSEMBLIES_ENV } from './helpers/default-assembly';
import { SYNTH_PID_ENV } from './global-setup';

/**
 * Stops the background synthesis if a run ended before it did (a run of unrelated tests), and
 * removes the directory it synthesized into.
 */
export default function globalTeardown(): void {
  const pid = Number(process.env[SYNTH_PID_ENV]);
  try {
    if (pid) process.kill(pid);
  } catch {
    // already finished
  }
  const dir = process.env[FIXTURE_ASSEMBLIES_ENV];
  if (dir) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
}
