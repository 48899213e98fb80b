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
  /** Resource types the rule names, e.g. `AWS::S3::Bucket`. */
  readonly resourceTypes: ReadonlySet<string>;
}

/** Every Control Tower rule file with the resource types it names. */
export function controlTowerRules(): GuardRule[] {
  const files = fs.readdirSync(CONTROL_TOWER_RULES_DIR, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.guard'));
  return files.map((relative) => {
    const file = path.join(CONTROL_TOWER_RULES_DIR, relative);
    return { file, resourceTypes: new Set(fs.readFileSync(file, 'utf8').match(/AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g) ?? []) };
  });
}

/**
 * The AWS Control Tower proactive controls, run by the same cfn-guard plugin, but each template
 * only against the rules that name one of its resource types. A rule about resource types a
 * template lacks cannot find anything there, and cfn-guard's time grows with rules times template
 * size: the pipeline template alone took about 11 s against all 237 rules.
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
    return this.rules.filter((rule) => [...rule.resourceTypes].some((type) => types.has(type))).map((rule) => rule.file);
  }
}
