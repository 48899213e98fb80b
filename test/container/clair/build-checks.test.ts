import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runScripts, ScriptRun } from '../../helpers/run-batch';
import { REPO_ROOT, RunScriptResult } from '../../helpers/run-script';

/** The two gates the Dockerfile runs on what it downloads: the Clair checkout and the RDS CA bundle. */

const scripts = path.join(REPO_ROOT, 'container', 'clair');
const AMAZON = 'Amazon Web Services, Inc.';
const env = { PATH: process.env.PATH ?? '' };

/**
 * The certificates the bundles are made of: name, subject and basicConstraints. The stranger's
 * name holds a newline and then what would be our organization's line in the script's view.
 */
const CERTIFICATES = [
  ['root', `/C=US/O=${AMAZON}/OU=Amazon RDS/CN=Amazon RDS test Root CA`, 'critical,CA:TRUE'],
  ['regional', `/C=US/O=${AMAZON}/OU=Amazon RDS/CN=Amazon RDS test-region CA`, 'critical,CA:TRUE'],
  ['stranger', `/C=US/O=Someone Else/CN=Impostor CA\n    O=${AMAZON}`, 'critical,CA:TRUE'],
  ['leaf', `/C=US/O=${AMAZON}/CN=db.example.com`, 'CA:FALSE'],
];

/** Pinned commits verify-checkout.sh must reject as malformed, made from HEAD. */
const MALFORMED_PINS: Array<[string, (head: string) => string]> = [
  ['that is an 8-digit prefix of HEAD', (h) => h.slice(0, 8)],
  ['that is a 39-digit prefix of HEAD', (h) => h.slice(0, 39)],
  ['in upper case', (h) => h.toUpperCase()],
  ['empty', () => ''],
];

/** `certificate` with one character of its base64 body replaced. */
function damaged(certificate: string): string {
  const lines = certificate.split('\n');
  lines[2] = `${lines[2].slice(0, 10)}#${lines[2].slice(11)}`;
  return lines.join('\n');
}

/** Bundles verify-ca-bundle.sh must reject, made from the certificates and their keys, and why. */
const BAD_BUNDLES: Array<[string, (pem: Record<string, string>) => string, RegExp]> = [
  ['an empty file', () => '', /holds no certificate/],
  ['an HTML error page', () => '<html><body>403 Forbidden</body></html>\n', /holds no certificate/],
  [
    'a CA of another organization, even one whose name fakes a line with ours',
    (pem) => pem.root + pem.stranger,
    /certificate 2 is not issued to 'Amazon/,
  ],
  ['a certificate that is not a CA', (pem) => pem.root + pem.leaf, /certificate 2 is not a CA certificate/],
  ['a private key', (pem) => pem.root + pem['root.key'], /1 PEM blocks that are not certificates/],
  ['a damaged certificate', (pem) => damaged(pem.root), /certificate 1 does not parse/],
  ['a truncated download', (pem) => pem.root + pem.regional.slice(0, 200), /certificate 2 does not parse/],
];

let workDir: string;
let head: string;
/** Each certificate, and its key as `<name>.key`, in PEM. */
const pem: Record<string, string> = {};
/** What each run of the two scripts left behind, by case. */
const results = new Map<string, RunScriptResult>();

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clair-build-checks-'));

  // Everything the scripts check is made first, from one shell: a repository with one commit,
  // and the certificates.
  const repo = path.join(workDir, 'repo');
  const identity = ['-c', 'user.name=test', '-c', 'user.email=test@example.com'];
  const setup = runScripts([
    { cmd: 'git', args: ['init', '--quiet', repo], env },
    { cmd: 'git', args: ['-C', repo, ...identity, 'commit', '--quiet', '--allow-empty', '-m', 'pinned'], env },
    { cmd: 'git', args: ['-C', repo, 'rev-parse', 'HEAD'], env },
    ...CERTIFICATES.map(([name, subject, basicConstraints]) => ({
      cmd: 'openssl',
      args: ['req', '-x509', '-new', '-nodes', '-days', '2', '-subj', subject]
        .concat(['-addext', `basicConstraints=${basicConstraints}`, '-newkey', 'ec'])
        .concat(['-pkeyopt', 'ec_paramgen_curve:prime256v1'])
        .concat(['-keyout', path.join(workDir, `${name}.key`), '-out', path.join(workDir, `${name}.crt`)]),
      env,
    })),
  ]);
  for (const result of setup) expect(result).toMatchObject({ status: 0 });
  head = setup[2].stdout.trim();
  for (const [name] of CERTIFICATES) {
    pem[name] = fs.readFileSync(path.join(workDir, `${name}.crt`), 'utf8');
    pem[`${name}.key`] = fs.readFileSync(path.join(workDir, `${name}.key`), 'utf8');
  }

  // Then every run of the two scripts, from one shell too.
  const runs = new Map<string, ScriptRun>();
  const verifyCheckout = (commit: string) => ({
    cmd: 'sh',
    args: [path.join(scripts, 'verify-checkout.sh'), repo, commit],
    env,
  });
  runs.set('pinned HEAD', verifyCheckout(head));
  runs.set('other commit', verifyCheckout(otherCommit(head)));
  for (const [what, pin] of MALFORMED_PINS) runs.set(`pin ${what}`, verifyCheckout(pin(head)));
  const verifyBundle = (content: string) => {
    const bundle = path.join(workDir, `bundle-${runs.size}.pem`);
    fs.writeFileSync(bundle, content);
    return { cmd: 'sh', args: [path.join(scripts, 'verify-ca-bundle.sh'), bundle, AMAZON], env };
  };
  runs.set('Amazon bundle', verifyBundle(pem.root + pem.regional));
  for (const [what, content] of BAD_BUNDLES) runs.set(`bundle ${what}`, verifyBundle(content(pem)));
  const done = runScripts([...runs.values()]);
  [...runs.keys()].forEach((key, i) => results.set(key, done[i]));
});

afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** A commit id that differs from `commit` in its first digit. */
function otherCommit(commit: string): string {
  return commit.startsWith('0') ? `1${commit.slice(1)}` : `0${commit.slice(1)}`;
}

describe('verify-checkout.sh', () => {
  test('accepts the checkout when HEAD is the full pinned commit', () => {
    expect(results.get('pinned HEAD')!.status).toBe(0);
  });

  test('rejects the checkout when HEAD is another commit', () => {
    const result = results.get('other commit')!;
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`HEAD is ${head}, but ${otherCommit(head)} is pinned`);
  });

  test.each(MALFORMED_PINS)('rejects a pinned commit %s', (what) => {
    const result = results.get(`pin ${what}`)!;
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/a full id of 40 lowercase hex digits/);
  });
});

describe('verify-ca-bundle.sh', () => {
  test('accepts a bundle of Amazon CA certificates', () => {
    const result = results.get('Amazon bundle')!;
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`verify-ca-bundle: 2 CA certificates of ${AMAZON}\n`);
    expect(result.status).toBe(0);
  });

  test.each(BAD_BUNDLES)('rejects %s', (what, _, message) => {
    const result = results.get(`bundle ${what}`)!;
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });
});
