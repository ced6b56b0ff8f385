#!/usr/bin/env node
// GPU fan-out benchmark: 2 trainings then 26 sweeps of known duration on 1, 2, 4 and 8 fake devices;
// compares the makespan of `pipeline run` with the ideal schedule.
//
//   node bench/fanout/run.mjs [--train 2] [--sweep 1] [--devices 1,2,4,8]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(repo, 'bin/pipeline.js');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : fallback;
};
const trainSeconds = Number(option('train', '2'));
const sweepSeconds = Number(option('sweep', '1'));
const deviceCounts = option('devices', '1,2,4,8').split(',').map(Number);
const checkpoints = Array.from({ length: 13 }, (_, i) => (i === 0 ? 0 : 2 ** (i - 1)));

function pipelineYaml(record) {
  // Shell stages that log their start and end in ms: the makespan is measured from these records.
  const log = (event) => `printf '%s %s %s\\n' ${event} "$PIPELINE_STAGE" "$(date +%s%3N)" >> ${record}`;
  const stage = (seconds) => JSON.stringify(`${log('start')}; sleep ${seconds}; echo "$PIPELINE_STAGE" > \${out}/done; ${log('end')}`);
  return `params:
  settings:
    lenet: { checkpoints: [${checkpoints.join(', ')}] }
    conv: { checkpoints: [${checkpoints.join(', ')}] }
stages:
  train:
    foreach: \${params.settings}
    do:
      cmd: ${stage(trainSeconds)}
      resources: { gpu: 1 }
  sweep:
    foreach: \${params.settings}
    do:
      foreach: \${item.checkpoints}
      do:
        cmd: ${stage(sweepSeconds)}
        needs:
          train: train@\${outer.key}
        resources: { gpu: 1 }
`;
}

function ideal(devices) {
  const sweeps = 2 * checkpoints.length;
  if (devices === 1) return 2 * trainSeconds + sweeps * sweepSeconds;
  return trainSeconds + Math.ceil(sweeps / devices) * sweepSeconds;
}

const rows = [];
for (const devices of deviceCounts) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-fanout-'));
  const record = path.join(dir, 'record.txt');
  fs.writeFileSync(path.join(dir, 'pipeline.yaml'), pipelineYaml(record));
  const gpus = Array.from({ length: devices }, (_, i) => String(i)).join(',');
  const started = Date.now();
  execFileSync(process.execPath, [cli, 'run', '--gpus', gpus, '--plain'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: 'true' } });
  const wall = (Date.now() - started) / 1000;
  const times = fs
    .readFileSync(record, 'utf8')
    .trim()
    .split('\n')
    .map((line) => Number(line.split(' ')[2]));
  const makespan = (Math.max(...times) - Math.min(...times)) / 1000;
  const best = ideal(devices);
  rows.push({ devices, stages: 28, ideal_s: best, makespan_s: makespan, over_ideal: `${(((makespan - best) / best) * 100).toFixed(1)}%`, wall_s: wall });
  fs.rmSync(dir, { recursive: true, force: true });
}
console.table(rows);
console.log(`train ${trainSeconds} s ×2, sweep ${sweepSeconds} s ×${2 * checkpoints.length}; makespan = first stage start → last stage end; wall adds the runner's start-up and hashing`);
