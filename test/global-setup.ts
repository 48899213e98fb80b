import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_ASSEMBLY_ENV } from './helpers/default-assembly';

/**
 * Gives the run one fresh directory for the default app's cloud assembly. The first test file
 * that needs the assembly synthesizes it there (test/helpers/default-assembly.ts) and the others
 * read it, so the slow part runs once per `npm test`, and not at all for a run of other files.
 */
export default function globalSetup(): void {
  process.env[DEFAULT_ASSEMBLY_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), 'clair-pipeline-assembly-'));
}
