import { PipelineConfig } from '../config/config';
import { stageId } from '../pipeline/stack-names';

/** A step of the pipeline's first run and the rough range of minutes it takes. */
export interface RunStep {
  /** The pipeline stage or action, as the console shows it. */
  readonly step: string;
  /** What it does. */
  readonly does: string;
  /** Fewest minutes it takes on a first run. */
  readonly minMinutes: number;
  /** Most minutes it takes; the readiness check's is its configured bound. */
  readonly maxMinutes: number;
}

/**
 * The pipeline's first run, step by step, with rough durations: estimates from the work each
 * step does (a CodeBuild synth with the tests, four image builds, an RDS instance per
 * environment, Clair's first vulnerability update), not measurements. Approvals wait for a person
 * and are not counted.
 */
export function firstRun(config: PipelineConfig): RunStep[] {
  const steps: RunStep[] = [
    { step: 'Source', does: 'fetches the branch through the connection', minMinutes: 1, maxMinutes: 2 },
    {
      step: 'Build',
      does: 'npm ci, lint, the tests, cdk synth with every gate',
      minMinutes: 5,
      maxMinutes: 15,
    },
    { step: 'UpdatePipeline', does: 'the pipeline updates itself (self-mutation)', minMinutes: 2, maxMinutes: 10 },
    {
      step: 'Assets',
      does: "builds the Clair, scanner, canary and sample-app images and pushes them to each environment's bootstrap repository",
      minMinutes: 15,
      maxMinutes: 40,
    },
  ];
  for (const environment of config.environments) {
    const id = stageId(environment.name);
    const multiAz = environment.database.multiAz;
    if (environment.requiresApproval) {
      steps.push({
        step: `Approve-${id}`,
        does: `permission-broadening check, then a person approves ${environment.name} (not counted)`,
        minMinutes: 0,
        maxMinutes: 0,
      });
    }
    steps.push(
      {
        step: `Clair-${id}`,
        does: `VPC, ${multiAz ? 'Multi-AZ ' : ''}RDS PostgreSQL, the Clair service and the scanner in ${environment.account} ${environment.region}`,
        minMinutes: multiAz ? 30 : 20,
        maxMinutes: multiAz ? 50 : 35,
      },
      {
        step: `ClairReadiness-${id}`,
        does: `waits for Clair's first vulnerability update (the canary must show vulnerabilities), at most scan.readinessTimeoutMinutes`,
        minMinutes: Math.min(20, environment.scan.readinessTimeoutMinutes),
        maxMinutes: environment.scan.readinessTimeoutMinutes,
      },
    );
    if (environment.sampleApp.enabled) {
      steps.push({
        step: `SampleApp-${id}`,
        does: "scans the sample-app image with this environment's Clair, then deploys it if the scan passed",
        minMinutes: 10,
        maxMinutes: 20,
      });
    }
  }
  return steps;
}
