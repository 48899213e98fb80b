import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledge } from '../../common/acknowledge';
import { controlTowerRules } from '../../common/control-tower-guard';
import { addSecurityGates } from '../../common/security-gates';
import { gateWithCachedGuard } from '../helpers/gates';

/** Runs synth and returns the error it threw (the validation report), or fails the test. */
function synthError(app: App): string {
  try {
    app.synth();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected synth to fail');
}

describe('the security gates', () => {
  // One synth for the gated pipeline app: a bucket with every default (several nag and guard
  // findings) injected into a stage, and another into a stack outside any stage (the pipeline's).
  const pipelineApp = new App({ builtinCloudFormationValidation: false });
  addSecurityGates(pipelineApp);
  const stage = new Stage(pipelineApp, 'Dev', { env: { account: '222222222222', region: 'eu-west-1' } });
  addSecurityGates(stage);
  new s3.Bucket(new Stack(stage, 'Inner'), 'PlainBucket');
  new s3.Bucket(new Stack(pipelineApp, 'Pipeline'), 'PlainBucket');
  const report = synthError(pipelineApp);

  test('fail synth on a cdk-nag violation injected into a stage', () => {
    expect(report).toMatch(/AwsSolutions-S1\b[\s\S]*Dev\/Inner\/PlainBucket/);
  });

  test('fail synth on a Control Tower (cfn-guard) violation injected into a stage', () => {
    expect(report).toMatch(/CT\.S3\.PR\.2[\s\S]*Dev\/Inner\/PlainBucket/);
  });

  test('fail synth on a violation in a stack outside any stage (the pipeline stack)', () => {
    expect(report).toMatch(/AwsSolutions-S1\b[\s\S]*\n\s*Pipeline\/PlainBucket/);
  });

  test('gate a stage used on its own, and let an acknowledgement silence only the rule it names', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const standalone = new Stage(app, 'Standalone');
    addSecurityGates(standalone);
    const bucket = new s3.Bucket(new Stack(standalone, 'Inner'), 'PlainBucket');
    acknowledge(bucket, 'AwsSolutions::AwsSolutions-S1', 'test: this one finding is acknowledged');
    const message = synthError(app);
    expect(message).not.toMatch(/AwsSolutions-S1\b/);
    expect(message).toMatch(/AwsSolutions-S10\b[\s\S]*Standalone\/Inner\/PlainBucket/);
  });
});

describe('the Control Tower guard', () => {
  test('can select every bundled rule by the resource types it checks', () => {
    const rules = controlTowerRules();
    expect(rules.length).toBeGreaterThan(200);
    expect(rules.filter((rule) => rule.resourceTypes.size === 0).map((rule) => rule.file)).toEqual([]);
  });
});

describe("the Control Tower guard with a report cache (the tests' own synths)", () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-cache-'));

  /** Synthesizes an app whose stage holds a bucket with every default, with the cached guard; returns the error and the assembly's directory. */
  function synthWithCachedGuard(): { message: string; outdir: string } {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cached-guard-'));
    const app = new App({ builtinCloudFormationValidation: false, outdir });
    gateWithCachedGuard(app, cache);
    const stage = new Stage(app, 'Dev', { env: { account: '222222222222', region: 'eu-west-1' } });
    addSecurityGates(stage);
    new s3.Bucket(new Stack(stage, 'Inner'), 'PlainBucket');
    return { message: synthError(app), outdir };
  }

  test("fails synth on a violation from its cache as it did when it ran cfn-guard, naming this synth's template", () => {
    const first = synthWithCachedGuard();
    expect(fs.readdirSync(cache)).toHaveLength(1);
    const second = synthWithCachedGuard();
    expect(second.message).toMatch(/CT\.S3\.PR\.2[\s\S]*Dev\/Inner\/PlainBucket/);
    // CDK names the report's path relative to the working directory when that is shorter, so the
    // assembly is recognised by its directory's own (unique) name.
    const [firstName, secondName] = [first, second].map((synth) => path.basename(synth.outdir));
    expect(second.message).toContain(secondName);
    expect(second.message).not.toContain(firstName);
    expect(second.message.split(secondName).join('<outdir>')).toBe(first.message.split(firstName).join('<outdir>'));
  });

  test('rejects a guard given after the app was gated: its stages would run the default one', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    addSecurityGates(app);
    expect(() => gateWithCachedGuard(app, cache)).toThrow(
      /useControlTowerGuard must come before the first addSecurityGates/,
    );
  });
});
