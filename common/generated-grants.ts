import { IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { rules } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { acknowledge } from './acknowledge';

/** One shape of IAM wildcard that CDK's grant methods generate, and why it is acceptable. */
interface GrantWildcard {
  /** Matches cdk-nag's finding text, e.g. `Action::s3:GetObject*`. */
  readonly finding: RegExp;
  /** Why the wildcard is scoped enough. */
  readonly reason: string;
}

/**
 * The wildcard shapes we accept from CDK-generated grants. Action wildcards are only accepted in
 * statements that name specific resources (never `*`), which {@link GeneratedGrantAcknowledger}
 * checks before acknowledging; anything else must be acknowledged by hand, with its own reason.
 */
const GRANT_WILDCARDS: GrantWildcard[] = [
  {
    finding: /^Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*$/,
    reason: 'CDK bucket grant: the action group applies only to the named bucket and its objects.',
  },
  {
    finding: /^Action::kms:(GenerateDataKey|ReEncrypt)\*$/,
    reason: 'CDK key grant: the action group applies only to the named key.',
  },
  {
    finding: /^Resource::<[A-Za-z0-9]+\.Arn>\/\*$/,
    reason: 'CDK bucket grant: the objects of one bucket named by reference.',
  },
  {
    finding: /^Resource::arn:[^:]+:logs:[^:]+:\d{12}:log-group:\/aws\/codebuild\/<[A-Za-z0-9]+>:\*$/,
    reason: "CodeBuild's own log group and its streams, whose names are only known at build time.",
  },
  {
    finding: /^Resource::arn:[^:]+:codebuild:[^:]+:\d{12}:report-group\/<[A-Za-z0-9]+>-\*$/,
    reason: "CodeBuild's own report groups, named after the project.",
  },
];

/** Actions that IAM only allows on `*` (no resource-level permissions), so `Resource::*` is forced. */
const RESOURCELESS_ACTIONS = new Set(['ecr:GetAuthorizationToken']);

/**
 * Acknowledges, per policy, the AwsSolutions-IAM5 findings that are CDK's own scoped grants (see
 * {@link GRANT_WILDCARDS}), after checking the evidence: an accepted action wildcard must never
 * appear in a statement whose resource is `*`, and `Resource::*` is accepted only for actions IAM
 * cannot scope. Added to every gated stage by addSecurityGates.
 */
export class GeneratedGrantAcknowledger implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof iam.CfnPolicy)) return;
    const findings = rules.iam.IAMNoWildcardPermissions(node);
    if (!Array.isArray(findings)) return;
    const unscopedActions = actionsOnAnyResource(Stack.of(node).resolve(node.policyDocument));
    if (unscopedActions.size > 0 && [...unscopedActions].every((action) => RESOURCELESS_ACTIONS.has(action))) {
      acknowledge(
        node,
        'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        `Only ${[...unscopedActions].join(', ')} is allowed on '*': IAM offers no resource-level permission for it.`,
      );
    }
    for (const finding of findings) {
      const accepted = GRANT_WILDCARDS.find((wildcard) => wildcard.finding.test(finding));
      const action = finding.startsWith('Action::') ? finding.slice('Action::'.length) : undefined;
      if (accepted && !(action && unscopedActions.has(action))) {
        acknowledge(node, `AwsSolutions::AwsSolutions-IAM5[${finding}]`, accepted.reason);
      }
    }
  }
}

/** Actions granted by Allow statements whose resources include `*`. */
function actionsOnAnyResource(document: { Statement?: Array<Record<string, unknown>> }): Set<string> {
  const result = new Set<string>();
  for (const statement of document.Statement ?? []) {
    if (statement.Effect === 'Allow' && asList(statement.Resource).includes('*')) {
      asList(statement.Action).forEach((action) => result.add(action as string));
    }
  }
  return result;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}
