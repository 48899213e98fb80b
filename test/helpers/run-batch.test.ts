import * as os from 'os';
import { runScripts } from './run-batch';

const PATH = process.env.PATH ?? '';
/** A value a shell would split, expand or end a quote in. */
const ODD = ` it's "$HOME" \\ $(id) \`id\` *\nsecond line é `;

test('runs each command with exactly its own environment, arguments and output', () => {
  const [first, second, third] = runScripts([
    { cmd: 'env', args: [], env: { PATH, ODD } },
    { cmd: 'sh', args: ['-c', 'printf %s "$1"; printf err >&2; exit 3', 'sh', ODD], env: { PATH } },
    { cmd: 'env', args: [] },
  ]);

  expect(first).toEqual({ status: 0, stdout: `TMPDIR=${os.tmpdir()}\nPATH=${PATH}\nODD=${ODD}\n`, stderr: '' });
  expect(second).toEqual({ status: 3, stdout: ODD, stderr: 'err' });
  expect(third.stdout.split('\n').sort()).toEqual(['', `PATH=${PATH}`, `TMPDIR=${os.tmpdir()}`]);
});

test('throws when a command cannot be started, as runScript does', () => {
  expect(() => runScripts([{ cmd: 'no-such-command-here', args: [] }])).toThrow(/could not run no-such-command-here/);
});
