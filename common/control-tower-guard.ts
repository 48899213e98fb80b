import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';

/** The AWS Control Tower proactive controls that ship with @cdklabs/cdk-validator-cfnguard. */
export const CONTROL_TOWER_RULES_DIR = path.join(
  path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
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

/**
 * The AWS Control Tower proactive controls, run by the same cfn-guard plugin, but each template
 * only against the rules that check one of its resource types. A rule about resource types a
 * template lacks cannot find anything there (it skips), and cfn-guard's time grows with rules
 * times template size: the pipeline template alone took about 11 s against all 237 rules.
 */
export class ControlTowerGuard implements IPolicyValidationPlugin {
  /** The wrapped plugin's name, so findings are acknowledged as `cdk-validator-cfnguard::<rule>`. */
  public readonly name = 'cdk-validator-cfnguard';
  private readonly rules = controlTowerRules();

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const reports = context.templatePaths.flatMap((templatePath) => {
      const rules = this.rulesFor(templatePath);
      if (rules.length === 0) return [];
      const validator = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules });
      return [validator.validate({ ...context, templatePaths: [templatePath] })];
    });
    return {
      success: reports.every((report) => report.success),
      violations: reports.flatMap((report) => report.violations),
    };
  }

  private rulesFor(templatePath: string): string[] {
    const resources = JSON.parse(fs.readFileSync(templatePath, 'utf8')).Resources ?? {};
    const types = new Set(Object.values<{ Type: string }>(resources).map((resource) => resource.Type));
    return this.rules
      .filter((rule) => [...rule.resourceTypes].some((type) => types.has(type)))
      .map((rule) => rule.file);
  }
}
