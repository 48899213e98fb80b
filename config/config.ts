import * as fs from 'fs';
import { SEVERITIES, Severity } from '@clair-pipeline/scan';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Node } from 'constructs';
import {
  checkLookalikes,
  checkRootIsObject,
  CONTEXT_KEY,
  readRawConfig,
  unknownEnvironmentMessage,
} from './command-line';
import { configFixHint, listFixHint, ObjectReader, ProblemList } from './config-reader';
import { RULES } from './config-rules';
import { checkConnectionAccount, checkZonesCanBeLearnt } from './cross-checks';
import { goDurationSeconds, rateExpressionMinutes } from './durations';
import { canLookUpZones } from './lookups';
import { RescanConfig, readRescan } from './rescan-config';
import { PROFILE_NAMES, ProfileDefaults, ProfileName, PROFILES, SampleAppEgress } from './profiles';

export { CONTEXT_KEY } from './command-line';

/** Account ids that ship as defaults so a fresh clone synthesizes; never deployable. */
export const PLACEHOLDER_ACCOUNTS: readonly string[] = ['111111111111', '222222222222', '333333333333'];

/**
 * What an environment name must look like: lower-case letters, digits and single inner hyphens,
 * at most 16 characters, so that `clair-<name>` is a valid RDS identifier and the ids built from
 * it (`Clair-<Name>`, with the first letter upper-cased) stay distinct.
 */
export const ENVIRONMENT_NAME_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,15}$/;

/** An account and region. */
export interface AccountRegion {
  /** 12-digit AWS account id. */
  readonly account: string;
  /** AWS region, e.g. eu-west-1. */
  readonly region: string;
}

/** Where the pipeline's source comes from. */
export interface SourceConfig {
  /** Repository as `owner/name`. */
  readonly repository: string;
  /** Branch whose pushes run the pipeline. */
  readonly branch: string;
  /** ARN of the CodeConnections connection to the repository host. */
  readonly connectionArn: string;
}

/** The network the Clair service runs in. */
export interface NetworkConfig {
  /**
   * Use this existing VPC (it needs private subnets with egress and isolated subnets). Synth looks
   * it up in the account, so it needs credentials once (CDK records the result in cdk.context.json).
   * @default a new VPC
   */
  readonly vpcId?: string;
  /** Create ECR, Logs and Secrets Manager interface endpoints (and an S3 gateway) to cut NAT traffic. @default the profile's */
  readonly vpcEndpoints: boolean;
  /** NAT gateways of a new VPC: 2 survives an AZ outage, 1 costs half. @default the profile's */
  readonly natGateways: number;
}

/** The sample application that the scan gate protects. */
export interface SampleAppConfig {
  /**
   * Deploy the sample app in this environment, gated by a scan of its image. Off, the environment
   * gets Clair, its scanner and the readiness check only (no demo workload, no VPC or NAT gateway
   * for it). `"sampleApp": false` is short for `{ "enabled": false }`. @default true
   */
  readonly enabled: boolean;
  /**
   * How its task reaches ECR and CloudWatch Logs: through a NAT gateway of its own VPC, or with a
   * public IP in a public subnet whose security group admits nothing (no NAT gateway to pay for).
   * @default the profile's
   */
  readonly egress: SampleAppEgress;
}

/** Clair's PostgreSQL database. */
export interface DatabaseConfig {
  /** RDS instance class without the `db.` prefix. @default the profile's */
  readonly instanceType: string;
  /** Initial storage. @default 20 */
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling. @default 100 */
  readonly maxAllocatedStorageGiB: number;
  /** Standby in a second AZ. @default the profile's */
  readonly multiAz: boolean;
  /** Refuse deletion of the instance. @default the profile's */
  readonly deletionProtection: boolean;
  /** Days of automated backups. @default the profile's */
  readonly backupRetentionDays: number;
  /** Take a final snapshot when the instance is removed (otherwise it is destroyed). @default the profile's */
  readonly snapshotOnRemoval: boolean;
}

/** The Clair service and who may call it. */
export interface ClairServiceConfig {
  /** Fargate CPU units per task. @default the profile's */
  readonly cpu: number;
  /** Fargate memory per task. @default the profile's */
  readonly memoryMiB: number;
  /** Fewest running tasks (autoscaling floor). @default the profile's */
  readonly minTasks: number;
  /** Most running tasks (autoscaling ceiling). @default the profile's */
  readonly maxTasks: number;
  /** How often Clair refreshes its vulnerability data (Go duration, at most 24h; '0' turns it off). @default '2h' */
  readonly updaterInterval: string;
  /** Clair's log level. @default 'info' */
  readonly logLevel: 'debug' | 'info' | 'warning' | 'error' | 'fatal' | 'panic';
  /** ACM certificate for an HTTPS listener. @default plain HTTP inside the VPC */
  readonly certificateArn?: string;
  /** DNS name (covered by the certificate) that points at the load balancer; required with a certificate. */
  readonly apiHostName?: string;
  /** Extra CIDR blocks allowed to call Clair's API. @default none */
  readonly consumerCidrs: string[];
  /** Extra security groups allowed to call Clair's API. @default none */
  readonly consumerSecurityGroupIds: string[];
  /** Days to keep logs (CloudWatch, ALB access logs). @default the profile's */
  readonly logRetentionDays: number;
  /** Protect the load balancer from deletion. @default the profile's */
  readonly deletionProtection: boolean;
}

/** The policy a scan gate enforces in one environment. */
export interface ScanPolicyConfig {
  /** Lowest severity that counts. @default 'High' */
  readonly severity: Severity;
  /** Counted vulnerabilities tolerated. @default 0 */
  readonly maxVulnerabilities: number;
  /** Count `Unknown` severity whatever `severity` says (Clair v2's Alpine data has none). @default true */
  readonly countUnknown: boolean;
  /** Count only vulnerabilities that have a fix. @default false */
  readonly ignoreUnfixed: boolean;
  /**
   * Fail (exit 7) an image Clair could not read: no operating system, no packages found, or a
   * namespace without vulnerability data. Waive single images in the allowlist's `unscannable:`.
   * @default true
   */
  readonly requireCoverage: boolean;
  /** Allowlist YAML, relative to the project root. @default none */
  readonly allowlistFile?: string;
  /**
   * The platforms (`os/architecture[/variant]`) of a multi-platform image (index or manifest list)
   * to scan, for teams that deploy only these; a name without a variant takes any variant. Images
   * with one platform are scanned whatever this says. @default every platform of the index
   */
  readonly platforms: string[];
  /** How long the scanner waits for Clair's data to load. @default 60 */
  readonly readinessTimeoutMinutes: number;
  /** Vulnerabilities the canary must show before Clair counts as ready. @default 1 */
  readonly canaryMinVulnerabilities: number;
  /** Other accounts whose pipelines may run this environment's scanner (besides the pipeline account). @default none */
  readonly invokerAccounts: string[];
  /** ECR repositories of this account, besides the CDK asset repository, whose images the scanner may pull. @default none */
  readonly pullRepositories: string[];
  /**
   * Other accounts whose ECR repositories the scanner may pull from, in its region: only those
   * repositories whose policy grants the scanner's role (docs/other-teams.md). @default invokerAccounts
   */
  readonly pullAccounts: string[];
}

/** How one environment is watched: who gets its alarms and how often Clair's data is proven loaded. */
export interface MonitoringConfig {
  /** Alarm e-mails go to this address (the recipient must confirm). @default the top-level notificationEmail */
  readonly alarmEmail?: string;
  /**
   * How often the freshness check proves Clair's data loaded: an EventBridge rate expression from
   * one hour to six days. The freshness alarm allows one interval plus one check without a pass.
   * @default 'rate(1 day)'
   */
  readonly freshnessSchedule: string;
  /** Alarm when Clair's database holds more connections than this; size it to the instance class. @default 100 */
  readonly maxDatabaseConnections: number;
}

/** Everything that differs between environments. */
export interface EnvironmentConfig extends AccountRegion {
  /** Environment name (its key in `environments`), also used in ids and resource names. */
  readonly name: string;
  /** The profile whose defaults this environment starts from. @default 'production' */
  readonly profile: ProfileName;
  /**
   * Availability zones of the new VPCs (2 or 3 in the environment's region). Given, synth needs no
   * lookup in the account. @default looked up in the account (credentials, or cdk.context.json)
   */
  readonly availabilityZones?: string[];
  /** The network. */
  readonly network: NetworkConfig;
  /** The database. */
  readonly database: DatabaseConfig;
  /** The Clair service. */
  readonly clair: ClairServiceConfig;
  /** The scan gate's policy. */
  readonly scan: ScanPolicyConfig;
  /** Alarms, their recipient and the freshness check. */
  readonly monitoring: MonitoringConfig;
  /** The sample application. */
  readonly sampleApp: SampleAppConfig;
  /** The scheduled rescan of running images (docs/rescans.md). */
  readonly rescan: RescanConfig;
  /** Stop for a manual approval (and a permission-broadening check) before this environment. @default true, except for the first environment */
  readonly requiresApproval: boolean;
}

/** The whole, validated configuration. */
export interface PipelineConfig {
  /** Where the pipeline itself runs (the tooling account). */
  readonly pipeline: AccountRegion;
  /** The repository that triggers the pipeline. */
  readonly source: SourceConfig;
  /** Environments in promotion order: the order of `environments` in cdk.json. */
  readonly environments: EnvironmentConfig[];
  /** Approval requests, pipeline failures and (unless an environment names its own) alarms go here. @default no e-mail subscription */
  readonly notificationEmail?: string;
  /**
   * Subscribe no address on purpose: whatever has no address (approvals, failures, alarms) reaches
   * only those who subscribe its topic themselves, and synth no longer warns about it. Excludes
   * notificationEmail. @default false (synth warns about every topic without a subscriber)
   */
  readonly notificationOptOut: boolean;
  /** Secrets Manager secret with Docker Hub `username`/`secret`, to avoid pull limits. @default none */
  readonly dockerHubSecretName?: string;
  /** Settings that still hold a placeholder value and must be replaced before deploying. */
  readonly placeholders: string[];
}

/** What synth knows besides the configuration object, for the checks that need it. */
export interface SynthFacts {
  /** Context keys spelled like `clairPipeline` in another case or with separators, with their values. @default none */
  readonly lookalikes?: ReadonlyMap<string, unknown>;
  /** Environments only `-c` names, with the settings given for each (by path inside it). @default none */
  readonly commandLineEnvironments?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Whether synth can learn the zones of an account's region that the config does not name. @default always */
  readonly canLookUpZones?: (account: string, region: string) => boolean;
}

/**
 * Reads and validates the configuration from context: the `clairPipeline` object (cdk.json), then
 * any `-c clairPipeline.<dotted.path>=<value>` overrides. Throws a ConfigError naming every bad
 * setting, its value and the fix.
 */
export function loadConfig(node: Node): PipelineConfig {
  return configFromContext(node.getAllContext());
}

/**
 * The same from a context object as the CDK CLI assembles it (cdk.json, cdk.context.json, `-c`
 * overrides), for the project's scripts that read the configuration without building an app.
 */
export function configFromContext(context: Record<string, unknown>): PipelineConfig {
  const { raw, lookalikes, commandLineEnvironments } = readRawConfig(context);
  return parseConfig(raw, {
    lookalikes,
    commandLineEnvironments,
    canLookUpZones: canLookUpZones(context, process.env),
  });
}

/** Validates a raw configuration object against what synth knows. Exported for tests. */
export function parseConfig(raw: unknown, facts: SynthFacts = {}): PipelineConfig {
  const problems = new ProblemList();
  checkLookalikes(facts.lookalikes ?? new Map(), problems);
  checkRootIsObject(raw, facts.lookalikes?.size ?? 0, problems);
  const root = new ObjectReader(CONTEXT_KEY, raw, problems);

  const pipelineReader = root.object('pipeline');
  const pipeline = readAccountRegion(pipelineReader);
  pipelineReader.done();
  const partition = RegionInfo.get(pipeline.region).partition;
  const sourceReader = root.object('source');
  const source: SourceConfig = {
    repository: sourceReader.string('repository', RULES.repository),
    branch: sourceReader.string('branch', RULES.branch),
    connectionArn: sourceReader.string('connectionArn', RULES.connectionArn),
  };
  checkConnectionAccount(sourceReader, source.connectionArn, pipeline, partition);
  sourceReader.done();

  const notificationEmail = root.optionalString('notificationEmail', RULES.email);
  const notificationOptOut = root.boolean('notificationOptOut', false);
  if (notificationOptOut && notificationEmail) {
    root.problem(
      'notificationOptOut',
      `and notificationEmail exclude each other: one subscribes an address, the other says none is subscribed on purpose, got notificationOptOut=true and notificationEmail='${notificationEmail}'; remove one of them`,
    );
  }
  const envsReader = root.object('environments');
  const environments = readEnvironments(envsReader, problems, facts, { partition, notificationEmail });
  envsReader.done();

  const config: PipelineConfig = {
    pipeline,
    source,
    environments,
    notificationEmail,
    notificationOptOut,
    dockerHubSecretName: root.optionalString('dockerHubSecretName', RULES.secretName),
    placeholders: [],
  };
  root.done();

  checkDistinctPlacement(environments, envsReader);
  problems.throwIfAny();
  return { ...config, placeholders: findPlaceholders(config) };
}

function readAccountRegion(reader: ObjectReader, partition?: string): AccountRegion {
  return { account: reader.string('account', RULES.account), region: readRegion(reader, partition) };
}

/**
 * The `region` key: a region aws-cdk-lib knows (an unknown one would only fail later, as unrelated
 * gate findings), in `partition` when given (a pipeline cannot deploy across partitions).
 */
function readRegion(reader: ObjectReader, partition?: string): string {
  const region = reader.string('region', RULES.region);
  if (!RULES.region.pattern.test(region)) return region;
  const known = RegionInfo.regions.filter((info) => !partition || info.partition === partition);
  if (!known.some((info) => info.name === region)) {
    const where = partition ? `in the pipeline's partition '${partition}'` : 'to aws-cdk-lib';
    reader.problem(
      'region',
      `must be an AWS region known ${where}, got '${region}'; ${configFixHint(reader.childPath('region'))} (one of ${known.map((info) => info.name).join(', ')})`,
    );
  }
  return region;
}

/** What readEnvironment needs to know beyond the environment's own keys. */
interface EnvironmentContext {
  /** Whether this is the first environment of the promotion order. */
  readonly first: boolean;
  /** The pipeline region's partition; environments must be in it. */
  readonly partition?: string;
  /** The top-level notificationEmail, the default alarm recipient. */
  readonly notificationEmail?: string;
  /** Whether synth can learn the zones of an account's region that the config does not name. */
  readonly canLookUpZones?: (account: string, region: string) => boolean;
}

/**
 * The environments in promotion order. One that only `-c` names and that lacks an account or a
 * region is most likely a misspelt existing one: it gets one message naming the known
 * environments (and the closest), and how to add a new one, instead of asking for its region.
 */
function readEnvironments(
  envsReader: ObjectReader,
  problems: ProblemList,
  facts: SynthFacts,
  context: Omit<EnvironmentContext, 'first'>,
): EnvironmentConfig[] {
  const names = envsReader.keys();
  const commandLine = facts.commandLineEnvironments ?? new Map<string, Readonly<Record<string, unknown>>>();
  const known = names.filter((name) => !commandLine.has(name));
  if (names.length === 0) {
    problems.add(
      envsReader.path,
      `must name at least one environment, got none; ${configFixHint(`${envsReader.path}.<name>.account`)}`,
    );
  }
  return names.flatMap((name, index) => {
    const reader = envsReader.object(name);
    const given = commandLine.get(name);
    if (given && !(reader.has('account') && reader.has('region'))) {
      envsReader.problem(name, unknownEnvironmentMessage(envsReader.childPath(name), given, known));
      return [];
    }
    const environmentContext = { ...context, first: index === 0, canLookUpZones: facts.canLookUpZones };
    return [readEnvironment(name, reader, envsReader, environmentContext)];
  });
}

function readEnvironment(
  name: string,
  reader: ObjectReader,
  envsReader: ObjectReader,
  context: EnvironmentContext,
): EnvironmentConfig {
  if (!ENVIRONMENT_NAME_PATTERN.test(name)) {
    envsReader.problem(
      name,
      `is not a valid environment name: use 1 to 16 lower-case letters, digits and single inner hyphens, starting with a letter (so that clair-<name> is a valid RDS identifier), got '${name}'; rename the key in cdk.json (context ${envsReader.path}), for example 'staging'`,
    );
  }
  const profile = reader.choice('profile', PROFILE_NAMES, 'production');
  const defaults = PROFILES[profile];
  const { account, region } = readAccountRegion(reader, context.partition);
  const env: Omit<EnvironmentConfig, 'rescan'> = {
    name,
    profile,
    account,
    region,
    availabilityZones: readAvailabilityZones(reader, region),
    network: readNetwork(reader.object('network'), defaults),
    database: readDatabase(reader.object('database'), defaults),
    clair: readClair(reader.object('clair'), defaults),
    scan: readScanPolicy(reader.object('scan')),
    monitoring: readMonitoring(reader.object('monitoring'), context.notificationEmail),
    sampleApp: readSampleApp(reader.switchableObject('sampleApp'), defaults),
    requiresApproval: reader.boolean('requiresApproval', !context.first),
  };
  const rescan = readRescan(reader.object('rescan'), env.clair.updaterInterval, {
    account,
    region,
    pullAccounts: env.scan.pullAccounts,
  });
  const environment = { ...env, rescan };
  checkZonesCanBeLearnt(reader, environment, context.canLookUpZones);
  reader.done();
  return environment;
}

/** 2 or 3 distinct zones of `region`, or undefined (then synth looks them up in the account). */
function readAvailabilityZones(reader: ObjectReader, region: string): string[] | undefined {
  const zones = reader.stringList('availabilityZones', RULES.availabilityZone);
  if (zones.length === 0 && !reader.has('availabilityZones')) return undefined;
  const fix = listFixHint(reader.childPath('availabilityZones'), [`${region}a`, `${region}b`]);
  const outside = zones.filter((zone) => zone.slice(0, -1) !== region);
  if (outside.length > 0) {
    reader.problem(
      'availabilityZones',
      `must all be zones of the environment's region '${region}' (the region plus one letter), got ${outside.map((zone) => `'${zone}'`).join(', ')}; ${fix}`,
    );
  } else if (zones.length < 2 || zones.length > 3 || new Set(zones).size !== zones.length) {
    reader.problem('availabilityZones', `must be 2 or 3 distinct zones, got ${JSON.stringify(zones)}; ${fix}`);
  }
  return zones;
}

function readNetwork(reader: ObjectReader, defaults: ProfileDefaults): NetworkConfig {
  const network = {
    vpcId: reader.optionalString('vpcId', RULES.vpcId),
    vpcEndpoints: reader.boolean('vpcEndpoints', defaults.network.vpcEndpoints),
    natGateways: reader.integer('natGateways', defaults.network.natGateways, 1, 2),
  };
  reader.done();
  return network;
}

function readSampleApp(reader: ObjectReader, defaults: ProfileDefaults): SampleAppConfig {
  const sampleApp = {
    enabled: reader.boolean('enabled', true),
    egress: reader.choice('egress', ['nat', 'public-ip'] as const, defaults.sampleApp.egress),
  };
  reader.done();
  return sampleApp;
}

function readDatabase(reader: ObjectReader, defaults: ProfileDefaults): DatabaseConfig {
  const database = {
    instanceType: reader.optionalString('instanceType', RULES.instanceType) ?? defaults.database.instanceType,
    allocatedStorageGiB: reader.integer('allocatedStorageGiB', 20, 20, 65536),
    maxAllocatedStorageGiB: reader.integer('maxAllocatedStorageGiB', 100, 20, 65536),
    multiAz: reader.boolean('multiAz', defaults.database.multiAz),
    deletionProtection: reader.boolean('deletionProtection', defaults.database.deletionProtection),
    backupRetentionDays: reader.integer('backupRetentionDays', defaults.database.backupRetentionDays, 1, 35),
    snapshotOnRemoval: reader.boolean('snapshotOnRemoval', defaults.database.snapshotOnRemoval),
  };
  if (database.maxAllocatedStorageGiB < database.allocatedStorageGiB) {
    reader.problem(
      'maxAllocatedStorageGiB',
      `must be at least allocatedStorageGiB (${database.allocatedStorageGiB}), got ${database.maxAllocatedStorageGiB}; raise it or lower allocatedStorageGiB`,
    );
  }
  reader.done();
  return database;
}

/** Memory (MiB) that Fargate allows for each CPU size. */
const FARGATE_MEMORY: Record<number, { min: number; max: number; step: number }> = {
  256: { min: 512, max: 2048, step: 512 },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

/** CloudWatch Logs retention periods that the service accepts. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

function readClair(reader: ObjectReader, defaults: ProfileDefaults): ClairServiceConfig {
  const clair: ClairServiceConfig = {
    cpu: reader.integer('cpu', defaults.clair.cpu, 256, 16384),
    memoryMiB: reader.integer('memoryMiB', defaults.clair.memoryMiB, 512, 122880),
    minTasks: reader.integer('minTasks', defaults.clair.minTasks, 1, 20),
    maxTasks: reader.integer('maxTasks', defaults.clair.maxTasks, 1, 20),
    updaterInterval: reader.optionalString('updaterInterval', RULES.goDuration) ?? '2h',
    logLevel: reader.choice('logLevel', ['debug', 'info', 'warning', 'error', 'fatal', 'panic'] as const, 'info'),
    certificateArn: reader.optionalString('certificateArn', RULES.certificateArn),
    apiHostName: reader.optionalString('apiHostName', RULES.hostName),
    consumerCidrs: reader.stringList('consumerCidrs', RULES.privateCidr),
    consumerSecurityGroupIds: reader.stringList('consumerSecurityGroupIds', RULES.securityGroupId),
    logRetentionDays: reader.integer('logRetentionDays', defaults.clair.logRetentionDays, 1, 3653),
    deletionProtection: reader.boolean('deletionProtection', defaults.clair.deletionProtection),
  };
  const memory = FARGATE_MEMORY[clair.cpu];
  if (!memory) {
    reader.problem(
      'cpu',
      `must be one of the Fargate sizes ${Object.keys(FARGATE_MEMORY).join(', ')}, got ${clair.cpu}`,
    );
  } else if (clair.memoryMiB < memory.min || clair.memoryMiB > memory.max || clair.memoryMiB % memory.step !== 0) {
    reader.problem(
      'memoryMiB',
      `must be ${memory.min} to ${memory.max} in steps of ${memory.step} for cpu ${clair.cpu} (Fargate's rule), got ${clair.memoryMiB}`,
    );
  }
  if (clair.minTasks > clair.maxTasks) {
    reader.problem('minTasks', `must not exceed maxTasks (${clair.maxTasks}), got ${clair.minTasks}`);
  }
  if (Boolean(clair.certificateArn) !== Boolean(clair.apiHostName)) {
    reader.problem(
      'apiHostName',
      `and certificateArn go together: TLS needs the DNS name the certificate covers, got apiHostName=${clair.apiHostName ?? 'unset'} and certificateArn=${clair.certificateArn ?? 'unset'}; set both or neither`,
    );
  }
  checkUpdaterIsWatchable(reader, clair);
  if (!LOG_RETENTION_DAYS.includes(clair.logRetentionDays)) {
    reader.problem(
      'logRetentionDays',
      `must be a CloudWatch retention period (${LOG_RETENTION_DAYS.join(', ')}), got ${clair.logRetentionDays}`,
    );
  }
  reader.done();
  return clair;
}

/** Log levels at which Clair still logs its info-level `update finished` events. */
const LEVELS_WITH_UPDATE_EVENTS: readonly string[] = ['debug', 'info'];

/**
 * The updater alarms count Clair's `update finished` log events over two intervals: the interval
 * must be at most a day, and the log level must keep info events.
 */
function checkUpdaterIsWatchable(reader: ObjectReader, clair: ClairServiceConfig): void {
  if (!RULES.goDuration.pattern.test(clair.updaterInterval)) return;
  const seconds = goDurationSeconds(clair.updaterInterval);
  if (seconds > 24 * 3600) {
    reader.problem(
      'updaterInterval',
      `must be at most 24h: feeds change daily, and the updater alarms watch two intervals; got '${clair.updaterInterval}'`,
    );
  }
  if (seconds > 0 && !LEVELS_WITH_UPDATE_EVENTS.includes(clair.logLevel)) {
    reader.problem(
      'logLevel',
      `must be debug or info while the updater runs (updaterInterval '${clair.updaterInterval}'): the updater alarms count Clair's info-level 'update finished' events; got '${clair.logLevel}'`,
    );
  }
}

/**
 * The freshness check runs at most hourly (each run is a build) and at least every six days: its
 * alarm looks back one interval plus one check (up to 8.5 h), within CloudWatch's seven days.
 */
const FRESHNESS_MINUTES = { min: 60, max: 6 * 1440 };

function readMonitoring(reader: ObjectReader, notificationEmail?: string): MonitoringConfig {
  const monitoring: MonitoringConfig = {
    alarmEmail: reader.optionalString('alarmEmail', RULES.email) ?? notificationEmail,
    freshnessSchedule: reader.optionalString('freshnessSchedule', RULES.scheduleExpression) ?? 'rate(1 day)',
    maxDatabaseConnections: reader.integer('maxDatabaseConnections', 100, 1, 5000),
  };
  if (RULES.scheduleExpression.pattern.test(monitoring.freshnessSchedule)) {
    const minutes = rateExpressionMinutes(monitoring.freshnessSchedule);
    if (minutes === undefined || minutes < FRESHNESS_MINUTES.min || minutes > FRESHNESS_MINUTES.max) {
      reader.problem(
        'freshnessSchedule',
        `must be a rate expression from 'rate(1 hour)' to 'rate(6 days)' (singular unit for 1, plural otherwise; no cron: the freshness alarm's window is one interval plus one check), got '${monitoring.freshnessSchedule}'`,
      );
    }
  }
  reader.done();
  return monitoring;
}

function readScanPolicy(reader: ObjectReader): ScanPolicyConfig {
  const policy = {
    severity: reader.choice('severity', SEVERITIES, 'High'),
    maxVulnerabilities: reader.integer('maxVulnerabilities', 0, 0, 100000),
    countUnknown: reader.boolean('countUnknown', true),
    ignoreUnfixed: reader.boolean('ignoreUnfixed', false),
    requireCoverage: reader.boolean('requireCoverage', true),
    allowlistFile: reader.optionalString('allowlistFile', RULES.relativePath),
    platforms: reader.stringList('platforms', RULES.platform),
    readinessTimeoutMinutes: reader.integer('readinessTimeoutMinutes', 60, 1, 480),
    canaryMinVulnerabilities: reader.integer('canaryMinVulnerabilities', 1, 1, 100000),
    invokerAccounts: reader.stringList('invokerAccounts', RULES.account),
    pullRepositories: reader.stringList('pullRepositories', RULES.repositoryName),
  };
  const scan = {
    ...policy,
    pullAccounts: reader.has('pullAccounts')
      ? reader.stringList('pullAccounts', RULES.account)
      : policy.invokerAccounts,
  };
  if (scan.allowlistFile && !fs.existsSync(scan.allowlistFile)) {
    reader.problem(
      'allowlistFile',
      `names a file that does not exist relative to the project root, got '${scan.allowlistFile}'; create it or fix the path`,
    );
  }
  reader.done();
  return scan;
}

/**
 * No two environments in one account and region (their stacks and fixed names would collide), and a
 * production-profile environment shares its account with no environment of another profile, so a
 * mistake in a lean environment cannot reach production.
 */
function checkDistinctPlacement(environments: EnvironmentConfig[], envsReader: ObjectReader): void {
  environments.forEach((env, index) => {
    const earlier = environments.slice(0, index).filter((other) => other.account === env.account && env.account);
    const sameRegion = earlier.find((other) => other.region === env.region);
    // With two profiles, a different profile means one of the two is production.
    const otherProfile = earlier.find((other) => other.profile !== env.profile);
    const key = `${env.name}.account`;
    const fix = configFixHint(envsReader.childPath(key));
    if (sameRegion) {
      envsReader.problem(
        key,
        `must differ from environments.${sameRegion.name}.account in region ${env.region}, got '${env.account}' for both; give each environment its own account or region; ${fix}`,
      );
    } else if (otherProfile) {
      envsReader.problem(
        key,
        `must differ from environments.${otherProfile.name}.account, got '${env.account}' for both: a production-profile environment shares its account with no environment of another profile (${otherProfile.name} is ${otherProfile.profile}, ${env.name} is ${env.profile}), so a mistake there cannot reach production; ${fix}`,
      );
    }
  });
}

function findPlaceholders(config: PipelineConfig): string[] {
  const found: string[] = [];
  const check = (path: string, account: string) => {
    if (PLACEHOLDER_ACCOUNTS.includes(account)) found.push(`${CONTEXT_KEY}.${path}=${account}`);
  };
  check('pipeline.account', config.pipeline.account);
  config.environments.forEach((env) => check(`environments.${env.name}.account`, env.account));
  if (/:connection\/0{8}-0{4}-0{4}-0{4}-0{12}$/.test(config.source.connectionArn)) {
    found.push(`${CONTEXT_KEY}.source.connectionArn=${config.source.connectionArn}`);
  }
  return found;
}
