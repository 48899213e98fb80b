import * as fs from 'fs';
import * as os from 'os';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'worker_threads';
import type { PolicyValidationPluginReport } from 'aws-cdk-lib';

/** One cfn-guard run: a template against the rule files that can report on it. */
export interface GuardCheck {
  /** Path of the template. */
  readonly templatePath: string;
  /** Paths of the .guard rule files. */
  readonly rules: string[];
}

/**
 * A worker: takes the next check by the shared counter, runs the validator on it (cfn-guard, one
 * process each) and posts its report, or its error with what cfn-guard printed, until none is
 * left. Plain JavaScript without the parent's `--require` flags (the TypeScript loader), so a
 * worker starts in milliseconds.
 */
const WORKER = `
const { workerData } = require('worker_threads');
const { checks, next, done, port } = workerData;
// What the validator prints of a failed cfn-guard goes into that check's error instead.
let printed = '';
process.stderr.write = (chunk) => {
  printed += String(chunk);
  return true;
};
try {
  const { CfnGuardValidator } = require(workerData.validator);
  for (let i = Atomics.add(next, 0, 1); i < checks.length; i = Atomics.add(next, 0, 1)) {
    const { templatePath, rules } = checks[i];
    printed = '';
    try {
      const validator = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules });
      port.postMessage({ i, report: validator.validate({ templatePaths: [templatePath] }) });
    } catch (error) {
      const message = String(error instanceof Error ? error.message : error);
      port.postMessage({ i, error: printed.trim() ? message + '\\n' + printed.trim() : message });
    }
    Atomics.add(done, 0, 1);
    Atomics.notify(done, 0);
  }
} catch (error) {
  // The validator did not load: say so, and release the waiting thread.
  port.postMessage({ i: -1, error: String(error instanceof Error ? error.message : error) });
  Atomics.store(done, 0, checks.length);
  Atomics.notify(done, 0);
}
`;

/** How long the checks may take together before synth gives up on a worker that died. */
const WAIT_MS = 15 * 60 * 1000;

/**
 * The reports of cfn-guard (through @cdklabs/cdk-validator-cfnguard) on each check, in order,
 * with up to one cfn-guard process per CPU at a time instead of one after another. CDK calls a
 * validation plugin synchronously, so this blocks until every check is done: worker threads run
 * the validator and the calling thread waits on a shared counter, then reads their messages
 * synchronously. The largest checks start first. A check that fails throws, naming its template.
 */
export function validateConcurrently(checks: GuardCheck[]): PolicyValidationPluginReport[] {
  const order = checks.map((_check, i) => i).sort((a, b) => cost(checks[b]) - cost(checks[a]));
  const queue = order.map((i) => checks[i]);
  const next = new Int32Array(new SharedArrayBuffer(4));
  const done = new Int32Array(new SharedArrayBuffer(4));
  const ports: MessagePort[] = [];
  const workers = Array.from({ length: Math.min(os.availableParallelism(), queue.length) }, () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1);
    const validator = require.resolve('@cdklabs/cdk-validator-cfnguard');
    return new Worker(WORKER, {
      eval: true,
      execArgv: [],
      workerData: { validator, checks: queue, next, done, port: port2 },
      transferList: [port2],
    });
  });
  try {
    const deadline = Date.now() + WAIT_MS;
    for (let finished = Atomics.load(done, 0); finished < queue.length; finished = Atomics.load(done, 0)) {
      if (Date.now() > deadline) throw new Error(`cfn-guard did not finish ${queue.length} checks in ${WAIT_MS} ms`);
      Atomics.wait(done, 0, finished, 1000);
    }
  } finally {
    for (const worker of workers) void worker.terminate();
  }
  const reports: PolicyValidationPluginReport[] = new Array(checks.length);
  for (const port of ports) {
    for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port)) {
      const { i, report, error } = message.message;
      if (error !== undefined)
        throw new Error(`cfn-guard failed on ${queue[i]?.templatePath ?? 'every template'}: ${error}`);
      reports[order[i]] = report;
    }
    port.close();
  }
  return reports;
}

/** cfn-guard's time grows with the rules times the template's size. */
function cost(check: GuardCheck): number {
  return check.rules.length * fs.statSync(check.templatePath).size;
}
