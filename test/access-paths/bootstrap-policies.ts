import * as fs from 'fs';
import * as path from 'path';
import { PERMISSIONS_BOUNDARY_FILE, PERMISSIONS_BOUNDARY_NAME, policyArn } from '../../bootstrap/policies';
import { REPO_ROOT } from '../helpers/run-script';
import { CloudModel, ModelResource, NamedPolicy, PARTITION } from './cloud-model';
import { Caller, roleCaller } from './evaluate';

/** A policy document of bootstrap/ (the execution policy, the boundary), named after its file. */
export function readBootstrapPolicy(file: string): NamedPolicy {
  return { name: path.basename(file), policy: JSON.parse(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8')) };
}

/**
 * A session of a role of the app as IAM evaluates it: its identity policies capped by the
 * permissions boundary it carries (bootstrap/permissions-boundary.json). Throws for a role
 * without that boundary: every role of the app carries it (test/bootstrap/execution-policy.test.ts).
 */
export function boundedRoleCaller(model: CloudModel, role: ModelResource): Caller {
  const boundary = model.resolve(role.stack, role.props.PermissionsBoundary);
  const expected = policyArn(PARTITION, role.stack.account, PERMISSIONS_BOUNDARY_NAME);
  if (boundary !== expected) {
    throw new Error(`${role.stack.displayPath} ${role.logicalId} carries the boundary ${boundary}, not ${expected}`);
  }
  return { ...roleCaller(model, role), permissionsBoundary: readBootstrapPolicy(PERMISSIONS_BOUNDARY_FILE) };
}
