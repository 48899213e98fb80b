#!/usr/bin/env node
// `npm run bench`: times the developer loop, `npx cdk synth` (whole pipeline, gates on) and
// `npm test`, over several runs, and prints the medians. A benchmark, not a test: it asserts nothing.
// Runs: BENCH_RUNS (default 3). Only one of them: `npm run bench -- synth` or `-- test`.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.resolve(__dirname, '..');
const runs = Number(process.env.BENCH_RUNS || 3);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`bench: BENCH_RUNS must be a positive integer, got '${process.env.BENCH_RUNS}'`);
  process.exit(2);
}
const commands = {
  synth: ['npx', ['cdk', 'synth', '--quiet']],
  test: ['npm', ['test', '--silent']],
};
const selected = process.argv.slice(2);
for (const name of selected) {
  if (!(name in commands)) {
    console.error(`bench: unknown benchmark '${name}'; choose from ${Object.keys(commands).join(', ')}`);
    process.exit(2);
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

for (const name of selected.length ? selected : Object.keys(commands)) {
  const [command, args] = commands[name];
  const seconds = [];
  for (let run = 1; run <= runs; run++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0) {
      console.error(`bench: ${command} ${args.join(' ')} failed (exit ${result.status}):\n${result.stderr}`);
      process.exit(1);
    }
    seconds.push(elapsed);
    console.log(`${name} run ${run}/${runs}: ${elapsed.toFixed(1)} s`);
  }
  console.log(`${name}: median ${median(seconds).toFixed(1)} s over ${runs} runs (${seconds.map((s) => s.toFixed(1)).join(', ')})`);
}
