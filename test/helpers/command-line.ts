/**
 * The repository's commands as their users start them (`npm run <name>`, `cdk synth`), for a test
 * to start with this Node directly: npm's own start costs about 0.4 s of CPU and adds nothing a
 * test could see, as npm runs a script's line in the repository root with nothing before or after.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SHIPPED_CDK_JSON } from './default-config';
import { REPO_ROOT } from './run-script';

/**
 * The loader the commands run their TypeScript with (`node --require` it): swc compiles each module
 * as jest compiles it for the tests.
 */
export const TYPESCRIPT_LOADER = path.join(REPO_ROOT, 'scripts', 'swc-register.js');

/** A program and its arguments. */
export interface CommandLine {
  readonly cmd: string;
  readonly args: string[];
}

/**
 * The Node command of `package.json`'s script `name`, which `npm run <name>` runs. It fails if npm
 * would run more than that line (a `pre` or `post` script).
 */
export function npmScript(name: string): CommandLine {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  for (const hook of [`pre${name}`, `post${name}`]) {
    if (scripts[hook] !== undefined) throw new Error(`npm run ${name} also runs the script ${hook}`);
  }
  return nodeCommand(scripts[name], `the script ${name} of package.json`);
}

/** The Node command of the shipped cdk.json's `app`, which `cdk synth` runs in the project. */
export function shippedCdkApp(): CommandLine {
  return nodeCommand(JSON.parse(fs.readFileSync(SHIPPED_CDK_JSON, 'utf8')).app, 'the app of cdk.json');
}

/**
 * `node ...` as this Node, runnable from any directory: each argument that names a file of the
 * repository (an entry point, a module to require) is made absolute, as the repository root
 * resolves it. Only a plain line: a shell would change one with quotes, variables or operators.
 */
function nodeCommand(line: string | undefined, what: string): CommandLine {
  const [program, ...args] = (line ?? '').trim().split(/\s+/);
  if (program !== 'node' || /["'`$\\|&;<>*?(){}]/.test(line ?? '')) {
    throw new Error(`${what} is not a plain node command line: ${line}`);
  }
  const resolved = args.map((arg) => (fs.existsSync(path.join(REPO_ROOT, arg)) ? path.join(REPO_ROOT, arg) : arg));
  return { cmd: process.execPath, args: resolved };
}
