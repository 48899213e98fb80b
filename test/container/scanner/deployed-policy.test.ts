import * as fs from 'fs';
import * as path from 'path';
import { NO_ALLOWLIST, parseAllowlist } from '../../../container/scanner/gate/allowlist';
import {
  MAX_RECORD_BYTES,
  RecordedPolicy,
  parseRecord,
  policyRecords,
  recordKey,
} from '../../../container/scanner/gate/deployed-policy';
import { Finding, findingOf } from '../../../container/scanner/gate/findings';
import { parseImageRef } from '../../../container/scanner/gate/image-ref';
import { TargetScan } from '../../../container/scanner/gate/image-scan';
import { RescanAws } from '../../../container/scanner/gate/rescan/aws';
import {
  MAX_RECORDS_PER_DIGEST,
  listRecords,
  readRecords,
} from '../../../container/scanner/gate/rescan/deployed-policies';
import { JudgingPolicy, selectPolicies } from '../../../container/scanner/gate/rescan/policies';
import { judge } from '../../../container/scanner/gate/rescan/scan';
import { rankOf } from '../../../container/scanner/gate/severity';
import { IMAGE, Scenario, vuln } from './scenario';

// Deployed-policy records (docs/rescans.md) in-process: what the gate records when it passes an
// image, how the rescan reads records (one listing, one GetObject per record, caps), treats them as
// hostile input, and judges an image by every recorded policy. rescan.test.ts runs it end to end.

const DIGEST = `sha256:${'a'.repeat(64)}`;
const HEX = 'a'.repeat(64);
const AT = '2026-12-05T00:00:00.000Z';
const STRICT: RecordedPolicy = {
  severity: 'Low',
  maxVulnerabilities: 0,
  countUnknown: true,
  ignoreUnfixed: false,
  requireCoverage: true,
  allowlist: null,
};
const ALLOW_TEXT = 'allow:\n  - id: CVE-2024-0002\n    reason: accepted by the team\n    expires: 2099-01-01\n';

/** A record's key and bytes, as the gate writes it. */
function record(policy: RecordedPolicy, digest = DIGEST): { key: string; bytes: Buffer } {
  const [{ key, text }] = policyRecords('registry.example/app:1', [digest], policy, policy.allowlist, AT);
  return { key, bytes: Buffer.from(text) };
}

/** The environment's default policy: High, coverage required, the given allowlist. */
function fallback(allowText?: string): JudgingPolicy {
  const allowlist = allowText ? parseAllowlist(allowText, 'environment.yaml', '2026-12-05') : NO_ALLOWLIST;
  return {
    name: "the environment's default policy",
    policy: {
      severity: 'High',
      minRank: rankOf('High'),
      countUnknown: true,
      ignoreUnfixed: false,
      maxVulnerabilities: 0,
    },
    requireCoverage: true,
    allowlist,
    allowlistSource: allowText ? 'environment.yaml' : null,
  };
}
const environmentOf = (p: JudgingPolicy) => ({ allowlist: p.allowlist, source: p.allowlistSource });
const select = (fetched: Array<{ key: string; bytes?: Buffer; problem?: string }>, base = fallback()) =>
  selectPolicies(fetched, DIGEST, base, environmentOf(base), '2026-12-05');

describe('the gate records the policy a passed image was deployed with', () => {
  const recordsIn = (dir: string): Record<string, string> => {
    const root = path.join(dir, 'deployed-policies');
    if (!fs.existsSync(root)) return {};
    return Object.fromEntries(
      fs
        .readdirSync(root, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.json'))
        .map((f) => [`deployed-policies/${f}`, fs.readFileSync(path.join(root, f), 'utf8')]),
    );
  };

  test('a pass writes every setting, defaults included, and the allowlist as read, at its key', async () => {
    const scenario = new Scenario().answer(IMAGE, [vuln('CVE-2024-0002', 'Medium')]);
    const run = await scenario.run({ SEVERITY: 'medium', ALLOWLIST_FILE: scenario.file('allow.yaml', ALLOW_TEXT) });

    expect(run.status).toBe(0);
    const written = Object.entries(recordsIn(run.reportDir));
    expect(written).toHaveLength(1);
    const [key, text] = written[0];
    const parsed = JSON.parse(text);
    expect(parsed).toEqual({
      version: 1,
      image: IMAGE,
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      recordedAt: expect.stringMatching(/^[0-9-]{10}T[0-9:.]{12}Z$/),
      policy: {
        severity: 'Medium',
        maxVulnerabilities: 0,
        countUnknown: true,
        ignoreUnfixed: false,
        requireCoverage: false, // the scenarios' REQUIRE_COVERAGE
        allowlist: ALLOW_TEXT,
      },
    });
    expect(key).toBe(recordKey(parsed.digest, parsed.policy));
    expect(parseRecord(Buffer.from(text), key, parsed.digest)).toEqual(parsed);

    // A failing scan in the same REPORT_DIR removes the earlier record and writes none.
    const failed = await scenario.answer(IMAGE, [vuln('CVE-2024-0003', 'High')]).run({ SEVERITY: 'medium' });
    expect(failed.status).toBe(1);
    expect(recordsIn(failed.reportDir)).toEqual({});
  });

  test('readiness only records nothing', async () => {
    const run = await new Scenario().run({ READINESS_ONLY: 'true', IMAGE_URI: undefined });

    expect(run.status).toBe(0);
    expect(recordsIn(run.reportDir)).toEqual({});
  });

  test('one key per (digest, policy): the same policy is the same key, any other setting another', () => {
    expect(record(STRICT).key).toBe(`deployed-policies/${HEX}/${record(STRICT).key.split('/')[2]}`);
    expect(record(STRICT).key).toMatch(/^deployed-policies\/a{64}\/[0-9a-f]{64}\.json$/);
    const others: RecordedPolicy[] = [
      { ...STRICT, severity: 'High' },
      { ...STRICT, maxVulnerabilities: 1 },
      { ...STRICT, countUnknown: false },
      { ...STRICT, ignoreUnfixed: true },
      { ...STRICT, requireCoverage: false },
      { ...STRICT, allowlist: ALLOW_TEXT },
    ];
    expect(new Set([STRICT, ...others].map((p) => recordKey(DIGEST, p))).size).toBe(7);
    // An index's record is filed under each digest given, once each.
    const other = `sha256:${'b'.repeat(64)}`;
    expect(
      policyRecords('r/app:1', [DIGEST, other, DIGEST], STRICT, null, AT).map((r) => JSON.parse(r.text).digest),
    ).toEqual([DIGEST, other]);
  });
});

describe('a record is hostile input', () => {
  const { key, bytes } = record(STRICT);
  const edited = (edit: (r: any) => void): Buffer => {
    const value = JSON.parse(bytes.toString('utf8'));
    edit(value);
    return Buffer.from(JSON.stringify(value));
  };

  test.each([
    ['too large', Buffer.alloc(MAX_RECORD_BYTES + 1, 0x20), /larger than/],
    ['not UTF-8', Buffer.from([0xff, 0xfe]), /not JSON/],
    ['not JSON', Buffer.from('{'), /not JSON/],
    ['another version', edited((r) => (r.version = 2)), /not a version 1 record/],
    ['an unknown key', edited((r) => (r.extra = true)), /not a version 1 record/],
    ['another digest', edited((r) => (r.digest = `sha256:${'b'.repeat(64)}`)), /its digest is not/],
    ['a bad time', edited((r) => (r.recordedAt = 'yesterday')), /recordedAt/],
    ['a policy key missing', edited((r) => delete r.policy.requireCoverage), /policy does not have exactly/],
    ['a severity in another case', edited((r) => (r.policy.severity = 'low')), /policy.severity/],
    ['a negative tolerance', edited((r) => (r.policy.maxVulnerabilities = -1)), /maxVulnerabilities/],
    ['a fractional tolerance', edited((r) => (r.policy.maxVulnerabilities = 0.5)), /maxVulnerabilities/],
    ['a string for a flag', edited((r) => (r.policy.ignoreUnfixed = 'false')), /ignoreUnfixed/],
    ['an allowlist that is not text', edited((r) => (r.policy.allowlist = { allow: [] })), /policy.allowlist/],
    // Loosened in place (the key still names the strict policy's hash): refused.
    ['a policy other than its key says', edited((r) => (r.policy.severity = 'Critical')), /key is not its policy/],
  ])('rejects a record with %s', (_what, body, message) => {
    expect(() => parseRecord(body, key, DIGEST)).toThrow(message);
  });
});

describe('which policies judge an image', () => {
  test('no record: the default alone', () => {
    const base = fallback();
    expect(select([], base)).toEqual({ policies: [base], problems: [] });
  });

  test('records: each of them, and not the default', () => {
    const { policies, problems } = select([record(STRICT), record({ ...STRICT, severity: 'Critical' })]);
    expect(problems).toEqual([]);
    expect(policies.map((p) => p.policy.severity)).toEqual(['Low', 'Critical']);
    expect(policies[0].name).toBe(
      `the policy deployed ${AT} (severity >= Low; Unknown counts: true; unfixed ignored: false; tolerated: 0; coverage required: true; allowlist: none; ${record(STRICT).key})`,
    );
  });

  test("a recorded allowlist applies with the environment's", () => {
    const base = fallback('allow:\n  - id: CVE-ENV\n    reason: environment\n    expires: 2099-01-01\n');
    const [p] = select([record({ ...STRICT, allowlist: ALLOW_TEXT })], base).policies;
    expect(p.allowlist.allow.map((e) => e.id)).toEqual(['CVE-2024-0002', 'CVE-ENV']);
    expect(p.allowlistSource).toBe(
      `recorded in ${record({ ...STRICT, allowlist: ALLOW_TEXT }).key} and environment.yaml`,
    );
  });

  test('a bad record is named and the default judges too; it is never skipped', () => {
    const good = record(STRICT);
    const badAllowlist = record({ ...STRICT, allowlist: 'allow: [' });
    const { policies, problems } = select([
      good,
      { key: `deployed-policies/${HEX}/x.json`, bytes: Buffer.from('{}') },
      badAllowlist,
      { key: `deployed-policies/${HEX}/big.json`, problem: 'too big' },
    ]);
    expect(policies.map((p) => p.name)).toEqual([
      expect.stringContaining(good.key),
      "the environment's default policy",
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^deployed-policies\/a{64}\/x\.json: not a version 1 record/),
      expect.stringContaining(`${badAllowlist.key}: bad allowlist recorded in ${badAllowlist.key}: not valid YAML`),
      `deployed-policies/${HEX}/big.json: too big`,
    ]);
  });
});

describe('an image passes only if it passes every policy', () => {
  const image = parseImageRef('the image', `registry.example/app@${DIGEST}`);
  const finding = (name: string, severity: string, fixedBy = '1.1'): Finding =>
    findingOf({ Name: name, FeatureName: 'openssl', FeatureVersion: '1.0', FixedBy: fixedBy }, severity);
  const covered = { os: 'debian:12', packages: 1, namespaces: ['debian:12'], findings: [], gaps: [] };
  const scanOf = (
    findings: Finding[],
    coverage = covered as TargetScan['coverage'],
    klarOutput: string | null = '{}',
  ) =>
    ({
      target: { ref: image, manifest: { kind: 'image', digest: DIGEST } },
      klarOutput,
      layerCount: 1,
      findings,
      coverage,
    }) as unknown as TargetScan;
  const recorded = (policy: RecordedPolicy) => select([record(policy)]).policies[0];

  test('a Low finding passes the default and fails the recorded Low policy, which is named', () => {
    const scans = [scanOf([finding('CVE-LOW', 'Low')])];
    expect(judge(image, 'http://clair:6060', scans, [fallback()])).toMatchObject({
      status: 'passed',
      failedPolicies: [],
    });
    const strict = recorded(STRICT);
    const lax = recorded({ ...STRICT, severity: 'Critical' });
    const judged = judge(image, 'http://clair:6060', scans, [lax, strict]);
    expect(judged).toMatchObject({ status: 'failing', failedPolicies: [strict.name], counted: ['CVE-LOW openssl'] });
    expect(judged.reason).toBe('Verdict: FAIL: 1 counted, more than the 0 tolerated');
  });

  test('a finding stays reported unless every policy allows it', () => {
    const scans = [scanOf([finding('CVE-2024-0002', 'High'), finding('CVE-OTHER', 'High')])];
    const allows = recorded({ ...STRICT, allowlist: ALLOW_TEXT });
    const both = judge(image, 'http://clair:6060', scans, [allows, recorded({ ...STRICT, severity: 'High' })]);
    expect(both.findings.map((f) => f.id).sort()).toEqual(['CVE-2024-0002', 'CVE-OTHER']);
    expect(judge(image, 'http://clair:6060', scans, [allows]).findings.map((f) => f.id)).toEqual(['CVE-OTHER']);
  });

  test('coverage counts only for a policy that requires it; an unreadable format never passes', () => {
    const uncovered = { ...covered, gaps: ['no packages found'] };
    const noCoverage = recorded({ ...STRICT, requireCoverage: false });
    expect(judge(image, 'c', [scanOf([], uncovered)], [noCoverage]).status).toBe('passed');
    expect(judge(image, 'c', [scanOf([], uncovered)], [noCoverage, recorded(STRICT)]).failedPolicies).toEqual([
      recorded(STRICT).name,
    ]);
    expect(judge(image, 'c', [scanOf([], uncovered, null)], [noCoverage]).status).toBe('failing');
  });
});

describe("the rescan's reads of the records", () => {
  /** The rescan's AWS layer stand-in: a listing answer and objects by key; records the calls. */
  function fakeAws(contents: Array<{ key: string; size: number }>, objects: Record<string, Buffer> = {}) {
    const calls: string[][] = [];
    const aws = {
      listObjects: async (bucket: string, prefix: string) => {
        calls.push(['listObjects', bucket, prefix]);
        return contents;
      },
      getObject: async (bucket: string, key: string) => {
        calls.push(['getObject', bucket, key]);
        return objects[key];
      },
    } as unknown as RescanAws;
    return { aws, calls };
  }

  test('one listing for the rescan, filed by digest; keys of no digest are left alone', async () => {
    const { aws, calls } = fakeAws([
      { key: `deployed-policies/${HEX}/1.json`, size: 10 },
      { key: `deployed-policies/${HEX}/2.json`, size: 20 },
      { key: 'deployed-policies/README', size: 1 },
      { key: `deployed-policies/${'b'.repeat(64)}/odd-name`, size: 1 },
    ]);
    const index = await listRecords(aws, 'bucket');
    expect(calls).toEqual([['listObjects', 'bucket', 'deployed-policies/']]);
    expect(index.get(DIGEST)).toEqual([
      { key: `deployed-policies/${HEX}/1.json`, size: 10 },
      { key: `deployed-policies/${HEX}/2.json`, size: 20 },
    ]);
    // Filed under its digest, to be read and reported as malformed.
    expect(index.get(`sha256:${'b'.repeat(64)}`)).toHaveLength(1);
    expect(index.size).toBe(2);
  });

  test('one GetObject per record; none for one too large or beyond the cap, both named', async () => {
    const entries = Array.from({ length: MAX_RECORDS_PER_DIGEST + 1 }, (_, i) => ({
      key: `deployed-policies/${HEX}/${String(i).padStart(2, '0')}.json`,
      size: i === 0 ? MAX_RECORD_BYTES + 1 : 2,
    }));
    const objects = Object.fromEntries(entries.map((e) => [e.key, Buffer.from('{}')]));
    const { aws, calls } = fakeAws([], objects);
    const fetched = await readRecords(aws, 'bucket', entries);
    expect(calls).toHaveLength(MAX_RECORDS_PER_DIGEST - 1);
    expect(calls[0]).toEqual(['getObject', 'bucket', entries[1].key]);
    expect(fetched[0]).toEqual({
      key: entries[0].key,
      problem: `${MAX_RECORD_BYTES + 1} bytes, larger than ${MAX_RECORD_BYTES}`,
    });
    expect(fetched[1]).toEqual({ key: entries[1].key, bytes: Buffer.from('{}') });
    expect(fetched[MAX_RECORDS_PER_DIGEST]).toEqual({
      key: entries[MAX_RECORDS_PER_DIGEST].key,
      problem: `not read: more than ${MAX_RECORDS_PER_DIGEST} records for one digest`,
    });
  });
});
