/**
 * `npm run deploy-plan [-- -c key=value ...]`: prints every step of a first deployment of the
 * configuration in cdk.json (with the same `-c` overrides `cdk synth` takes), with the exact
 * commands. A configuration error prints as `cdk synth` prints it, and exits 1; bad arguments exit 2.
 */
import { ConfigError } from '../config/config-reader';
import { loadProjectConfig } from '../config/project-context';
import { renderDeployPlan } from './deploy-plan';

const USAGE = 'usage: npm run deploy-plan [-- -c clairPipeline.<setting>=<value> ...]';

/** The `-c key=value` (or `--context key=value`) arguments; anything else is refused. */
function parseOverrides(args: string[]): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const [flag, pair] = [args[i], args[i + 1]];
    const separator = pair?.indexOf('=') ?? -1;
    if ((flag !== '-c' && flag !== '--context') || separator < 1) {
      throw new UsageError(`unexpected argument '${[flag, pair].filter(Boolean).join(' ')}'; ${USAGE}`);
    }
    overrides[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  return overrides;
}

class UsageError extends Error {}

/** What a run of the command printed, and its exit code. */
export interface DeployPlanRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the command on the project in `dir` with the arguments after `--`: the plan, or the
 * configuration errors (exit 1) or the usage (exit 2). Anything else is a bug, and throws.
 */
export function deployPlanCommand(args: string[], dir: string): DeployPlanRun {
  try {
    return { status: 0, stdout: renderDeployPlan(loadProjectConfig(dir, parseOverrides(args))), stderr: '' };
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof UsageError)) throw error;
    return { status: error instanceof UsageError ? 2 : 1, stdout: '', stderr: `${error.message}\n` };
  }
}

if (require.main === module) {
  const run = deployPlanCommand(process.argv.slice(2), process.cwd());
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  process.exitCode = run.status;
}
