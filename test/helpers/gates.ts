import * as path from 'path';
import type { App } from 'aws-cdk-lib';
import { ControlTowerGuard } from '../../common/control-tower-guard';
import { useControlTowerGuard } from '../../common/security-gates';
import { REPO_ROOT } from './run-script';

/** Where the tests keep cfn-guard's report of each distinct template, across runs (a fresh install empties it). */
export const GUARD_REPORT_CACHE = path.join(REPO_ROOT, 'node_modules', '.cache', 'clair-pipeline', 'guard');

/**
 * Gates `app` like `cdk synth` does, but with the Control Tower guard checking each distinct
 * template once (test/common/security-gates.test.ts proves the cached reports are the same).
 * Call it before building the app.
 */
export function gateWithCachedGuard(app: App, reportCache: string = GUARD_REPORT_CACHE): void {
  useControlTowerGuard(app, new ControlTowerGuard({ reportCache }));
}
