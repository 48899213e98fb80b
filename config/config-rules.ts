import { StringRule } from './config-reader';

/** Validation rules for the string settings of the configuration. */
export const RULES = {
  account: { pattern: /^\d{12}$/, description: 'a 12-digit AWS account id', example: '123456789012' },
  region: {
    pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/,
    description: "an AWS region name like 'eu-west-1'",
    example: 'eu-west-1',
  },
  availabilityZone: {
    pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}[a-z]$/,
    description: "an availability zone name like 'eu-west-1a'",
    example: 'eu-west-1a',
  },
  repository: {
    pattern: /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/,
    description: "a repository as 'owner/name'",
    example: 'my-org/clair-pipeline',
  },
  branch: {
    // git check-ref-format, simplified: no spaces, no '..', no leading '-' or '/', no trailing '/' or '.lock'.
    pattern: /^(?!-)(?!\/)(?!.*\.\.)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9._/-]+$/,
    description: 'a git branch name',
    example: 'main',
  },
  connectionArn: {
    pattern:
      /^arn:aws(-[a-z]+)*:(codeconnections|codestar-connections):[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}:\d{12}:connection\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    description: 'a CodeConnections connection ARN',
    example: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b',
  },
  email: {
    pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
    description: 'an e-mail address',
    example: 'platform-team@example.com',
  },
  secretName: {
    pattern: /^[A-Za-z0-9/_+=.@-]{1,512}$/,
    description: 'a Secrets Manager secret name',
    example: 'pipeline/dockerhub',
  },
  platform: {
    pattern: /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)?$/,
    description: 'a platform os/architecture[/variant] in lower case',
    example: "'linux/arm64'",
  },
  repositoryName: {
    pattern: /^(?=.{2,256}$)[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
    description: 'an ECR repository name',
    example: 'team-a/web',
  },
  vpcId: { pattern: /^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/, description: 'a VPC id', example: 'vpc-0123456789abcdef0' },
  securityGroupId: {
    pattern: /^sg-[0-9a-f]{8}([0-9a-f]{9})?$/,
    description: 'a security group id',
    example: 'sg-0123456789abcdef0',
  },
  privateCidr: {
    // Any IPv4 CIDR except the whole internet; the stage additionally rejects prefixes shorter than /8.
    pattern: /^(\d{1,3}\.){3}\d{1,3}\/([89]|[12]\d|3[0-2])$/,
    description: 'an IPv4 CIDR block no wider than /8 (never 0.0.0.0/0)',
    example: '10.20.0.0/16',
  },
  certificateArn: {
    pattern: /^arn:aws(-[a-z]+)*:acm:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}:\d{12}:certificate\/[0-9a-f-]{36}$/,
    description: 'an ACM certificate ARN',
    example: 'arn:aws:acm:eu-west-1:123456789012:certificate/0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b',
  },
  hostName: {
    pattern: /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    description: 'a lower-case DNS name',
    example: 'clair.dev.example.com',
  },
  instanceType: {
    pattern: /^[a-z][a-z0-9]*\.[a-z0-9]+$/,
    description: "an RDS instance class without the 'db.' prefix",
    example: 't4g.medium',
  },
  goDuration: {
    // What Clair's updater.interval accepts in practice: whole hours/minutes/seconds, or 0 for off.
    pattern: /^(0|(?=\d)(\d+h)?(\d+m)?(\d+s)?)$/,
    description: "a Go duration such as '2h' or '90m' (0 turns the updater off)",
    example: '2h',
  },
  relativePath: {
    pattern: /^(?!\/)(?!.*\.\.)[A-Za-z0-9._/-]+$/,
    description: 'a path relative to the project root',
    example: 'allowlists/dev.yml',
  },
  scheduleExpression: {
    pattern: /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^)]+\))$/,
    description: "an EventBridge schedule expression like 'rate(1 day)' or 'cron(0 6 * * ? *)'",
    example: 'rate(1 day)',
  },
} satisfies Record<string, StringRule>;
