import * as fs from 'fs';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { DefaultStack, defaultStacks } from '../helpers/default-assembly';

/** The partition every template of the tests is evaluated in. */
export const PARTITION = 'aws';

/** One synthesized stack, as CloudFormation would deploy it. */
export interface ModelStack {
  /** Display path, e.g. `ClairPipeline/Clair-Dev/Service`. */
  readonly displayPath: string;
  /** The CloudFormation stack name. */
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  /** The parsed template. */
  readonly template: any;
}

/** Stacks of a synthesized app, by construct id, as the model takes them. */
export function assemblyStacks(assembly: CloudAssembly, ids: readonly string[]): ModelStack[] {
  return ids.map((id) => {
    const stack = assembly.getStackArtifact(id);
    return {
      displayPath: stack.displayName,
      stackName: stack.stackName,
      account: stack.environment.account,
      region: stack.environment.region,
      template: stack.template,
    };
  });
}

/** One resource of a stack. */
export interface ModelResource {
  readonly stack: ModelStack;
  readonly logicalId: string;
  readonly type: string;
  /** Its properties, unresolved. */
  readonly props: any;
}

/** An IAM policy attached to a principal, named for the evaluator's explanations. */
export interface NamedPolicy {
  readonly name: string;
  readonly policy: any;
}

/** The property that holds each type's physical name, where a template may fix it. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::CodeBuild::Project': 'Name',
  'AWS::CodeBuild::ReportGroup': 'Name',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::CodePipeline::Pipeline': 'Name',
  'AWS::CodeStarNotifications::NotificationRule': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::ECR::Repository': 'RepositoryName',
};

/** The ARN CloudFormation gives each type, from account, region and physical name. */
const ARN_FORMAT: Record<string, (r: ModelResource, name: string) => string> = {
  'AWS::IAM::Role': (r, name) => `arn:${PARTITION}:iam::${r.stack.account}:role${r.props.Path ?? '/'}${name}`,
  'AWS::IAM::ManagedPolicy': (r, name) =>
    `arn:${PARTITION}:iam::${r.stack.account}:policy${r.props.Path ?? '/'}${name}`,
  'AWS::S3::Bucket': (_r, name) => `arn:${PARTITION}:s3:::${name}`,
  'AWS::SNS::Topic': (r, name) => `arn:${PARTITION}:sns:${r.stack.region}:${r.stack.account}:${name}`,
  'AWS::KMS::Key': (r, name) => `arn:${PARTITION}:kms:${r.stack.region}:${r.stack.account}:key/${name}`,
  'AWS::CodeBuild::Project': (r, name) =>
    `arn:${PARTITION}:codebuild:${r.stack.region}:${r.stack.account}:project/${name}`,
  'AWS::CodeBuild::ReportGroup': (r, name) =>
    `arn:${PARTITION}:codebuild:${r.stack.region}:${r.stack.account}:report-group/${name}`,
  'AWS::Logs::LogGroup': (r, name) => `arn:${PARTITION}:logs:${r.stack.region}:${r.stack.account}:log-group:${name}:*`,
  // Secrets Manager appends six random characters to the name.
  'AWS::SecretsManager::Secret': (r, name) =>
    `arn:${PARTITION}:secretsmanager:${r.stack.region}:${r.stack.account}:secret:${name}-AbCdEf`,
  'AWS::CloudWatch::Alarm': (r, name) =>
    `arn:${PARTITION}:cloudwatch:${r.stack.region}:${r.stack.account}:alarm:${name}`,
  'AWS::CodePipeline::Pipeline': (r, name) =>
    `arn:${PARTITION}:codepipeline:${r.stack.region}:${r.stack.account}:${name}`,
  'AWS::CodeStarNotifications::NotificationRule': (r, name) =>
    `arn:${PARTITION}:codestar-notifications:${r.stack.region}:${r.stack.account}:notificationrule/${name}`,
  'AWS::Events::Rule': (r, name) => `arn:${PARTITION}:events:${r.stack.region}:${r.stack.account}:rule/${name}`,
  'AWS::Lambda::Function': (r, name) => `arn:${PARTITION}:lambda:${r.stack.region}:${r.stack.account}:function:${name}`,
  'AWS::ECR::Repository': (r, name) => `arn:${PARTITION}:ecr:${r.stack.region}:${r.stack.account}:repository/${name}`,
};

/** What `Ref: AWS::NoValue` resolves to: the value is removed from its object or list. */
const NO_VALUE = Symbol('AWS::NoValue');

/** Types whose `Ref` is the ARN rather than the name. */
const REF_IS_ARN = new Set([
  'AWS::SNS::Topic',
  'AWS::SecretsManager::Secret',
  'AWS::IAM::ManagedPolicy',
  'AWS::CodeBuild::ReportGroup',
  'AWS::CodeStarNotifications::NotificationRule',
]);

/**
 * The synthesized stacks of an app with their intrinsic functions resolved the way CloudFormation
 * would for concrete accounts: `Ref` (parameters by their defaults, `AWS::NoValue` removing the
 * value), `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::If` with the
 * template's conditions, and the cross-stack `Fn::GetStackOutput` and `Fn::ImportValue`. Physical names come
 * from the templates where they are fixed, otherwise a stable stand-in (`<stack>-<logicalId>`), as
 * CloudFormation would generate one.
 */
export class CloudModel {
  /** Every stack of the default app (the shared assembly of the test run), each template parsed once. */
  public static ofDefaultApp(): CloudModel {
    return CloudModel.ofStacks(defaultStacks());
  }

  /** The given stacks of a synthesized app, each template parsed once. */
  public static ofStacks(stacks: readonly DefaultStack[]): CloudModel {
    return new CloudModel(
      stacks.map((stack) => ({ ...stack, template: JSON.parse(fs.readFileSync(stack.templateFile, 'utf8')) })),
    );
  }

  constructor(public readonly stacks: readonly ModelStack[]) {}

  /** The stack at a display path. */
  public stack(displayPath: string): ModelStack {
    const stack = this.stacks.find((candidate) => candidate.displayPath === displayPath);
    if (!stack) throw new Error(`no stack ${displayPath}; stacks: ${this.stacks.map((s) => s.displayPath).join(', ')}`);
    return stack;
  }

  /** Every resource of a type, in every stack (or the given ones). */
  public resources(type: string, stacks: readonly ModelStack[] = this.stacks): ModelResource[] {
    return stacks.flatMap((stack) =>
      Object.entries<any>(stack.template.Resources ?? {})
        .filter(([, resource]) => resource.Type === type)
        .map(([logicalId, resource]) => ({ stack, logicalId, type, props: resource.Properties ?? {} })),
    );
  }

  /** A resource by logical id. */
  public resource(stack: ModelStack, logicalId: string): ModelResource {
    const resource = stack.template.Resources?.[logicalId];
    if (!resource) throw new Error(`${stack.displayPath} has no resource ${logicalId}`);
    return { stack, logicalId, type: resource.Type, props: resource.Properties ?? {} };
  }

  /** The resource whose ARN (or `Ref`) is the given value, in any stack. */
  public resourceByArn(arn: string): ModelResource {
    for (const stack of this.stacks) {
      for (const logicalId of Object.keys(stack.template.Resources ?? {})) {
        const resource = this.resource(stack, logicalId);
        if (ARN_FORMAT[resource.type] && this.arnOf(resource) === arn) return resource;
      }
    }
    throw new Error(`no resource of the app has the ARN ${arn}`);
  }

  /** A resource's physical name: fixed in the template, or a stand-in. */
  public nameOf(resource: ModelResource): string {
    const property = NAME_PROPERTY[resource.type];
    const fixed = property ? resource.props[property] : undefined;
    if (fixed !== undefined) return this.resolve(resource.stack, fixed);
    const standIn = `${resource.stack.stackName}-${resource.logicalId}`;
    return resource.type === 'AWS::S3::Bucket' ? standIn.toLowerCase().slice(0, 63) : standIn;
  }

  /** A resource's ARN. */
  public arnOf(resource: ModelResource): string {
    const format = ARN_FORMAT[resource.type];
    if (!format) throw new Error(`the model does not know the ARN format of ${resource.type} (${resource.logicalId})`);
    return format(resource, this.nameOf(resource));
  }

  /** A value of a stack's template with every intrinsic function resolved. */
  public resolve(stack: ModelStack, value: any): any {
    if (Array.isArray(value)) return value.map((item) => this.resolve(stack, item)).filter((item) => item !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return this.intrinsic(stack, keys[0], value[keys[0]]);
    }
    return Object.fromEntries(
      keys.map((key) => [key, this.resolve(stack, value[key])]).filter(([, item]) => item !== NO_VALUE),
    );
  }

  /** The identity policies of a role: inline, attached `AWS::IAM::Policy` and customer managed ones of the app. */
  public policiesOf(role: ModelResource): NamedPolicy[] {
    const attachedTo = (policy: ModelResource) =>
      (policy.props.Roles ?? []).some((ref: any) => ref?.Ref === role.logicalId);
    const inline = this.resolve(role.stack, role.props.Policies ?? []).map((policy: any) => ({
      name: policy.PolicyName,
      policy: policy.PolicyDocument,
    }));
    const attached = [
      ...this.resources('AWS::IAM::Policy', [role.stack]),
      ...this.resources('AWS::IAM::ManagedPolicy', [role.stack]),
    ]
      .filter(attachedTo)
      .map((policy) => ({ name: policy.logicalId, policy: this.resolve(role.stack, policy.props.PolicyDocument) }));
    const managedArns: string[] = this.resolve(role.stack, role.props.ManagedPolicyArns ?? []);
    const managed = managedArns
      .filter((arn) => !arn.startsWith(`arn:${PARTITION}:iam::aws:`))
      .map((arn) => {
        const policy = this.resourceByArn(arn);
        return { name: policy.logicalId, policy: this.resolve(policy.stack, policy.props.PolicyDocument) };
      });
    return [...inline, ...attached, ...managed];
  }

  /** The value of a stack output, resolved in its own stack. */
  private output(stackName: string, region: string | undefined, outputName: string): any {
    const stack = this.stacks.find((s) => s.stackName === stackName && (!region || s.region === region));
    const output = stack?.template.Outputs?.[outputName];
    if (!stack || !output) throw new Error(`no output ${outputName} of stack ${stackName}`);
    return this.resolve(stack, output.Value);
  }

  private intrinsic(stack: ModelStack, fn: string, arg: any): any {
    switch (fn) {
      case 'Ref':
        return this.ref(stack, arg);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
        return this.getAtt(stack, logicalId, attribute);
      }
      case 'Fn::Join':
        return this.resolve(stack, arg[1]).join(arg[0]);
      case 'Fn::Select':
        return this.resolve(stack, arg[1])[Number(this.resolve(stack, arg[0]))];
      case 'Fn::Split':
        return String(this.resolve(stack, arg[1])).split(arg[0]);
      case 'Fn::Sub':
        return this.sub(stack, arg);
      case 'Fn::GetStackOutput':
        return this.output(this.resolve(stack, arg.StackName), this.resolve(stack, arg.Region), arg.OutputName);
      case 'Fn::ImportValue':
        return this.importValue(this.resolve(stack, arg));
      case 'Fn::If':
        return this.resolve(stack, this.condition(stack, { Condition: arg[0] }) ? arg[1] : arg[2]);
      default:
        throw new Error(`the model cannot resolve ${fn} (${JSON.stringify(arg)}) in ${stack.displayPath}`);
    }
  }

  /** A condition of the template (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`). */
  private condition(stack: ModelStack, value: any): boolean {
    const [fn] = Object.keys(value);
    const arg = value[fn];
    switch (fn) {
      case 'Condition':
        return this.condition(stack, stack.template.Conditions[arg]);
      case 'Fn::Equals':
        return this.resolve(stack, arg[0]) === this.resolve(stack, arg[1]);
      case 'Fn::Not':
        return !this.condition(stack, arg[0]);
      case 'Fn::And':
        return arg.every((c: any) => this.condition(stack, c));
      case 'Fn::Or':
        return arg.some((c: any) => this.condition(stack, c));
      default:
        throw new Error(`the model cannot evaluate the condition ${JSON.stringify(value)} in ${stack.displayPath}`);
    }
  }

  private ref(stack: ModelStack, name: string): any {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const pseudo: Record<string, string> = {
      'AWS::Partition': PARTITION,
      'AWS::Region': stack.region,
      'AWS::AccountId': stack.account,
      'AWS::StackName': stack.stackName,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (pseudo[name]) return pseudo[name];
    const parameter = stack.template.Parameters?.[name];
    if (parameter) return parameter.Default;
    const resource = this.resource(stack, name);
    if (resource.type === 'AWS::SecretsManager::SecretTargetAttachment')
      return this.resolve(stack, resource.props.SecretId);
    return REF_IS_ARN.has(resource.type) ? this.arnOf(resource) : this.nameOf(resource);
  }

  private getAtt(stack: ModelStack, logicalId: string, attribute: string): string {
    const resource = this.resource(stack, logicalId);
    if (attribute === 'Arn' || attribute === 'TopicArn') return this.arnOf(resource);
    return `${this.nameOf(resource)}.${attribute}`;
  }

  private sub(stack: ModelStack, arg: any): string {
    const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
    return String(text).replace(/\$\{(!?)([^}]+)\}/g, (_match, literal: string, name: string) => {
      if (literal) return `\${${name}}`;
      if (variables[name] !== undefined) return this.resolve(stack, variables[name]);
      const [logicalId, attribute] = name.split(/\.(.*)/);
      return attribute ? this.getAtt(stack, logicalId, attribute) : this.ref(stack, logicalId);
    });
  }

  private importValue(exportName: string): any {
    for (const stack of this.stacks) {
      for (const output of Object.values<any>(stack.template.Outputs ?? {})) {
        if (output.Export && this.resolve(stack, output.Export.Name) === exportName)
          return this.resolve(stack, output.Value);
      }
    }
    throw new Error(`no stack exports ${exportName}`);
  }
}
