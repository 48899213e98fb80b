import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultContext } from '../helpers/default-config';
import { shippedCdkApp } from '../helpers/command-line';
import { runScript } from '../helpers/run-script';

test('rejects a bad value with one clean block on stderr, naming the key, and a non-zero exit', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-entry-'));
  try {
    // What `npx cdk synth -c clairPipeline.environments.dev.clair.maxTasks=many` hands the app.
    const context = { ...defaultContext(), 'clairPipeline.environments.dev.clair.maxTasks': 'many' };
    // The app command of cdk.json, as `cdk synth` runs it.
    const app = shippedCdkApp();
    const result = runScript(app.cmd, app.args, {
      env: { PATH: process.env.PATH, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
    });
    expect(result.stderr).toBe(
      'Invalid clair-pipeline configuration:\n' +
        "  - clairPipeline.environments.dev.clair.maxTasks must be an integer from 1 to 20, got 'many'; " +
        'set it in cdk.json (context clairPipeline.environments.dev.clair.maxTasks) or override it with ' +
        '-c clairPipeline.environments.dev.clair.maxTasks=<value> (for example 2)\n',
    );
    expect(result.stdout).toBe('');
    expect(result.status).toBe(1);
    expect(fs.readdirSync(outdir)).toEqual([]);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
