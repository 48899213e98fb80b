/**
 * The reviewed list of cfn-lint findings the app accepts, like the cdk-nag and guard
 * acknowledgements: each names the rule, where it applies and why. test/pipeline/cfn-lint.test.ts
 * fails on any finding not listed here, and on any entry that no longer matches a finding.
 */
export interface CfnLintAcknowledgement {
  /** The rule, e.g. `W3005`. */
  readonly rule: string;
  /** Display paths of the stacks it applies to; `*` matches any run of characters. */
  readonly stacks: string;
  /** Logical ids of the resources it applies to; `*` matches any run of characters. */
  readonly resource: string;
  /**
   * The finding's exact message. Required for an error: only a known false positive of cfn-lint,
   * with exactly its message, may be acknowledged.
   * @default any message of the rule
   */
  readonly message?: string;
  /** Why the finding is acceptable. */
  readonly reason: string;
}

/** Every acknowledged cfn-lint 1.51.0 finding of the default app. */
export const CFN_LINT_ACKNOWLEDGEMENTS: CfnLintAcknowledgement[] = [
  {
    rule: 'E3703',
    stacks: 'ClairPipeline',
    resource: 'Pipeline9850B417',
    message: 'Prefer using Fn::Sub over Fn::Join with an empty delimiter',
    reason:
      "A cfn-lint false positive: E3703 validates each CloudFormation deploy action's Configuration.RoleArn and reports its informational I1022 (prefer Fn::Sub to Fn::Join) as an error. The value is CDK Pipelines' own, the target account's cfn-exec role ARN joined with AWS::Partition: valid CloudFormation.",
  },
  {
    rule: 'W3005',
    stacks: 'ClairPipeline',
    resource: 'Pipeline9850B417',
    reason:
      'CDK Pipelines makes the pipeline depend on its role explicitly, as well as through the role ARN; the duplicate DependsOn is harmless.',
  },
  {
    rule: 'W3005',
    stacks: 'ClairPipeline',
    resource: 'PipelinePipelinesSecurityCheckCDKPipelinesAutoApprove438244C8',
    reason:
      "CDK's Lambda function (the permission-broadening check's auto-approve) depends on its service role explicitly, as well as through its ARN; harmless.",
  },
  {
    rule: 'W3005',
    stacks: 'ClairPipeline/*',
    resource: 'CustomVpcRestrictDefaultSGCustomResourceProviderHandlerDC833E5E',
    reason:
      "CDK's custom resource provider that empties the VPC's default security group depends on its role explicitly, as well as through its ARN; harmless.",
  },
  {
    rule: 'W3010',
    stacks: 'ClairPipeline/*',
    resource: 'NetworkVpc*Subnet*',
    reason:
      'A VPC in a stack with a concrete account and region puts its subnets in the availability zones the environment names (availabilityZones in cdk.json): hard-coded by design, so synth needs no lookup.',
  },
  {
    rule: 'W3691',
    stacks: 'ClairPipeline/Clair-*/Data',
    resource: 'DatabaseInstanceAA8A5FDE',
    message:
      "Engine version '16' for engine 'postgres' is deprecated and cannot be used to create new RDS DB instances",
    reason:
      "A cfn-lint false positive: its list of deprecated versions holds the major-only '16'. RDS accepts a major version alone and picks a current minor ('If a major version is specified but a minor version is not, Amazon RDS defaults to a recent release of the major version', RDS User Guide; cfn-lint accepts it in E3691 since aws-cloudformation/cfn-lint#3850). Asking for the major version is the point: an exact minor fails new environments once RDS retires it.",
  },
];
