import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT, runScript } from '../../helpers/run-script';

/** The two gates the Dockerfile runs on what it downloads: the Clair checkout and the RDS CA bundle. */

const scripts = path.join(REPO_ROOT, 'container', 'clair');
const AMAZON = 'Amazon Web Services, Inc.';
const env = { PATH: process.env.PATH };

let workDir: string;

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clair-build-checks-'));
});

afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe('verify-checkout.sh', () => {
  let repo: string;
  let head: string;

  beforeAll(() => {
    repo = path.join(workDir, 'repo');
    fs.mkdirSync(repo);
    const git = (...args: string[]) => {
      const identity = ['-c', 'user.name=test', '-c', 'user.email=test@example.com'];
      const result = runScript('git', ['-C', repo, ...identity, ...args], { env });
      expect(result.status).toBe(0);
      return result.stdout.trim();
    };
    git('init', '--quiet');
    git('commit', '--quiet', '--allow-empty', '-m', 'pinned');
    head = git('rev-parse', 'HEAD');
  });

  const verify = (commit: string) => runScript('sh', [path.join(scripts, 'verify-checkout.sh'), repo, commit], { env });

  test('accepts the checkout when HEAD is the full pinned commit', () => {
    expect(verify(head).status).toBe(0);
  });

  test('rejects the checkout when HEAD is another commit', () => {
    const other = head.startsWith('0') ? `1${head.slice(1)}` : `0${head.slice(1)}`;
    const result = verify(other);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`HEAD is ${head}, but ${other} is pinned`);
  });

  test.each([
    ['that is an 8-digit prefix of HEAD', (h: string) => h.slice(0, 8)],
    ['that is a 39-digit prefix of HEAD', (h: string) => h.slice(0, 39)],
    ['in upper case', (h: string) => h.toUpperCase()],
    ['empty', () => ''],
  ])('rejects a pinned commit %s', (_, pin) => {
    const result = verify(pin(head));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/a full id of 40 lowercase hex digits/);
  });
});

describe('verify-ca-bundle.sh', () => {
  const pem: Record<string, string> = {};

  /** Makes a self-signed certificate with the given subject and basicConstraints. */
  function certificate(name: string, subject: string, basicConstraints: string): void {
    const out = path.join(workDir, `${name}.crt`);
    const key = path.join(workDir, `${name}.key`);
    const result = runScript(
      'openssl',
      ['req', '-x509', '-new', '-nodes', '-days', '2', '-subj', subject]
        .concat(['-addext', `basicConstraints=${basicConstraints}`])
        .concat(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-keyout', key, '-out', out]),
      { env },
    );
    expect(result.status).toBe(0);
    pem[name] = fs.readFileSync(out, 'utf8');
  }

  beforeAll(() => {
    certificate('root', `/C=US/O=${AMAZON}/OU=Amazon RDS/CN=Amazon RDS test Root CA`, 'critical,CA:TRUE');
    certificate('regional', `/C=US/O=${AMAZON}/OU=Amazon RDS/CN=Amazon RDS test-region CA`, 'critical,CA:TRUE');
    certificate('stranger', '/C=US/O=Someone Else/CN=Impostor CA', 'critical,CA:TRUE');
    certificate('leaf', `/C=US/O=${AMAZON}/CN=db.example.com`, 'CA:FALSE');
  });

  const privateKey = (name: string) => fs.readFileSync(path.join(workDir, `${name}.key`), 'utf8');

  /** `certificate` with one character of its base64 body replaced. */
  function damaged(certificate: string): string {
    const lines = certificate.split('\n');
    lines[2] = `${lines[2].slice(0, 10)}#${lines[2].slice(11)}`;
    return lines.join('\n');
  }

  function verify(content: string) {
    const bundle = path.join(workDir, 'bundle.pem');
    fs.writeFileSync(bundle, content);
    return runScript('sh', [path.join(scripts, 'verify-ca-bundle.sh'), bundle, AMAZON], { env });
  }

  test('accepts a bundle of Amazon CA certificates', () => {
    const result = verify(pem.root + pem.regional);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`verify-ca-bundle: 2 CA certificates of ${AMAZON}\n`);
    expect(result.status).toBe(0);
  });

  test.each([
    ['an empty file', () => '', /holds no certificate/],
    ['an HTML error page', () => '<html><body>403 Forbidden</body></html>\n', /holds no certificate/],
    ['a CA of another organization', () => pem.root + pem.stranger, /certificate 2 is not issued to 'Amazon/],
    ['a certificate that is not a CA', () => pem.root + pem.leaf, /certificate 2 is not a CA certificate/],
    ['a private key', () => pem.root + privateKey('root'), /1 PEM blocks that are not certificates/],
    ['a damaged certificate', () => damaged(pem.root), /certificate 1 does not parse/],
    ['a truncated download', () => pem.root + pem.regional.slice(0, 200), /certificate 2 does not parse/],
  ])('rejects %s', (_, content, message) => {
    const result = verify(content());
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });
});
