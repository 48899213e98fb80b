import { stopFixtureSynthesis } from './global-setup';

/**
 * Stops the background synthesis if a run ended before it did (a run of unrelated tests), and
 * removes the directory it synthesized into.
 */
export default function globalTeardown(): void {
  stopFixtureSynthesis();
}
