import { SYNTH_PID_ENV } from './global-setup';

/** Stops the background synthesis if a run ended before it did (a run of unrelated tests). */
export default function globalTeardown(): void {
  const pid = Number(process.env[SYNTH_PID_ENV]);
  try {
    if (pid) process.kill(pid);
  } catch {
    // already finished
  }
}
