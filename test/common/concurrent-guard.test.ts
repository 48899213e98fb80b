import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { validateConcurrently } from '../../common/concurrent-guard';
import { CONTROL_TOWER_RULES_DIR } from '../../common/control-tower-guard';

// cfn-guard itself, on two small templates at once: a bucket with every default (which Control
// Tower's CT.S3.PR.2 reports: no server access logging) and a template without a bucket.
const rule = path.join(CONTROL_TOWER_RULES_DIR, 's3', 'ct-s3-pr-2.guard');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'concurrent-guard-'));
function template(name: string, resources: object): string {
  const file = path.join(dir, `${name}.template.json`);
  fs.writeFileSync(file, JSON.stringify({ Resources: resources }));
  return file;
}
const bucket = template('bucket', { Plain: { Type: 'AWS::S3::Bucket', Properties: {} } });
const topic = template('topic', { Topic: { Type: 'AWS::SNS::Topic', Properties: {} } });

test('each report is its own check’s, in the order given, whichever finishes first', () => {
  const [bucketFirst, topicSecond] = validateConcurrently([
    { templatePath: bucket, rules: [rule] },
    { templatePath: topic, rules: [rule] },
  ]);
  expect(bucketFirst.success).toBe(false);
  expect(bucketFirst.violations.map((v) => v.ruleName)).toEqual(['s3_bucket_logging_enabled_check']);
  expect(bucketFirst.violations[0].violatingResources.map((r) => [r.locations, r.templatePath])).toEqual([
    [expect.anything(), bucket],
  ]);
  expect(topicSecond).toEqual({ success: true, violations: [] });

  const [topicFirst, bucketSecond] = validateConcurrently([
    { templatePath: topic, rules: [rule] },
    { templatePath: bucket, rules: [rule] },
  ]);
  expect(topicFirst.success).toBe(true);
  expect(bucketSecond).toEqual(bucketFirst);
});

test('a check cfn-guard cannot run fails, naming its template', () => {
  const broken = path.join(dir, 'broken.template.json');
  fs.writeFileSync(broken, '{ "Resources": ');
  expect(() =>
    validateConcurrently([
      { templatePath: topic, rules: [rule] },
      { templatePath: broken, rules: [rule] },
    ]),
  ).toThrow(new RegExp(`^cfn-guard failed on ${broken}: [^]*Error encountered while parsing data file`));
});
