import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { GuardCheck, validateConcurrently } from './concurrent-guard';

/** The validator's package: its version pins the bundled cfn-guard binary and rules. */
const VALIDATOR_PACKAGE = require.resolve('@cdklabs/cdk-validator-cfnguard/package.json');

/** The AWS Control Tower proactive controls that ship with @cdklabs/cdk-validator-cfnguard. */
export const CONTROL_TOWER_RULES_DIR = path.join(
  path.dirname(VALIDATOR_PACKAGE),
  'rules',
  'control-tower',
  'cfn-guard',
);

/** One Control Tower rule file and the CloudFormation resource types it checks. */
export interface GuardRule {
  /** Path of the .guard file. */
  readonly file: string;
  /** Resource types the rule reports on, e.g. `AWS::S3::Bucket`. */
  readonly resourceTypes: ReadonlySet<string>;
}

/**
 * Every Control Tower rule file with the resource types it checks. Each rule declares them the
 * same way, `let S3_BUCKET_TYPE = "AWS::S3::Bucket"`, and gates its hook form on them with
 * `is_cfn_hook(%INPUT_DOCUMENT, %S3_BUCKET_TYPE)`; other types a rule mentions (in comments, or
 * resources it looks up for context) are not what it reports on.
 */
export function controlTowerRules(): GuardRule[] {
  const files = fs
    .readdirSync(CONTROL_TOWER_RULES_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.guard'));
  return files.map((relative) => {
    const file = path.join(CONTROL_TOWER_RULES_DIR, relative);
    const text = fs.readFileSync(file, 'utf8');
    const declared = new Map(
      [...text.matchAll(/^let (\w+)\s*=\s*["'](AWS::\w+::\w+)["']/gm)].map(([, name, type]) => [name, type]),
    );
    const checked = [...text.matchAll(/is_cfn_hook\(%INPUT_DOCUMENT, %(\w+)\)/g)].map(([, name]) => declared.get(name));
    return { file, resourceTypes: new Set(checked.filter((type): type is string => type !== undefined)) };
  });
}

/** Options for {@link ControlTowerGuard}. */
export interface ControlTowerGuardProps {
  /**
   * A directory keeping cfn-guard's report for each distinct template (by the hash of its text, its
   * rules and the validator's version), so that a template is checked once however often it is
   * synthesized. Only the tests set it (test/helpers/gates.ts): `cdk synth` checks every
   * template every time. @default no cache
   */
  readonly reportCache?: string;
}

/**
 * The AWS Control Tower proactive controls, run by the same cfn-guard plugin, but each template
 * only against the rules that check one of its resource types. A rule about resource types a
 * template lacks cannot find anything there (it skips), and cfn-guard's time grows with rules
 * times template size: the pipeline template alone took about 11 s against all 237 rules. The
 * templates are checked concurrently, one cfn-guard process per CPU (./concurrent-guard.ts).
 */
export class ControlTowerGuard implements IPolicyValidationPlugin {
  /** The wrapped plugin's name, so findings are acknowledged as `cdk-validator-cfnguard::<rule>`. */
  public readonly name = 'cdk-validator-cfnguard';
  private readonly rules = controlTowerRules();
  private readonly reportCache?: string;

  constructor(props: ControlTowerGuardProps = {}) {
    this.reportCache = props.reportCache;
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const checks = context.templatePaths
      .map((templatePath) => ({ templatePath, rules: this.rulesFor(templatePath) }))
      .filter((check) => check.rules.length > 0)
      .map((check) => ({ ...check, cacheFile: this.cacheFile(check) }));
    const reports = checks.map((check) => fromCache(check.cacheFile, check.templatePath));
    const unchecked = checks.filter((_check, i) => reports[i] === undefined);
    const fresh = validateConcurrently(unchecked);
    unchecked.forEach((check, i) => keep(check.cacheFile, check.templatePath, fresh[i]));
    const all = [...reports.filter((report) => report !== undefined), ...fresh];
    return {
      success: all.every((report) => report.success),
      violations: all.flatMap((report) => report.violations),
    };
  }

  private rulesFor(templatePath: string): string[] {
    const resources = JSON.parse(fs.readFileSync(templatePath, 'utf8')).Resources ?? {};
    const types = new Set(Object.values<{ Type: string }>(resources).map((resource) => resource.Type));
    return this.rules
      .filter((rule) => [...rule.resourceTypes].some((type) => types.has(type)))
      .map((rule) => rule.file);
  }

  /** Where the report cache keeps a check's report: by its rules', template's and validator's text. */
  private cacheFile(check: GuardCheck): string | undefined {
    if (!this.reportCache) return undefined;
    const hash = createHash('sha256').update(fs.readFileSync(VALIDATOR_PACKAGE));
    for (const rule of check.rules) hash.update(path.basename(rule)).update(fs.readFileSync(rule));
    hash.update(fs.readFileSync(check.templatePath));
    return path.join(this.reportCache, `${hash.digest('hex')}.json`);
  }
}

/** The report kept in `file` (a check's place in the report cache), if any. */
function fromCache(file: string | undefined, templatePath: string): PolicyValidationPluginReport | undefined {
  if (!file || !fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8').split(TEMPLATE_PLACEHOLDER).join(templatePath));
}

/** Keeps a check's report in `file`, its place in the report cache, if there is a cache. */
function keep(file: string | undefined, templatePath: string, report: PolicyValidationPluginReport): void {
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}`;
  fs.writeFileSync(partial, JSON.stringify(report).split(templatePath).join(TEMPLATE_PLACEHOLDER));
  fs.renameSync(partial, file);
}

/** Stands for the template's path in a cached report: the path differs from synth to synth. */
const TEMPLATE_PLACEHOLDER = '<template>';
