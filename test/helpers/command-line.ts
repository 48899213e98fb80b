import * as path from 'path';
import { REPO_ROOT } from './run-script';

/**
 * The loader the commands run their TypeScript with (`node --require` it): swc compiles each module
 * as jest compiles it for the tests.
 */
export const TYPESCRIPT_LOADER = path.join(REPO_ROOT, 'scripts', 'swc-register.js');
