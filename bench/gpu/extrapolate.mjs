// Extrapolates the shortened CIFAR-10 ResNet-20 run (bench/gpu/paper-short.sh) to the paper's recipe: 160 epochs,
// 12 checkpoints, a 100-point recompute-BN sweep from each. Reads the run's paper.jsonl; prints a Markdown table.
//   node bench/gpu/extrapolate.mjs paper.jsonl
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/gpu/extrapolate.mjs paper.jsonl');
  process.exit(2);
}
const stages = Object.fromEntries(
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((r) => r.ok)
    .map((r) => [r.stage, r.ms / 1000]),
);
const sweeps = Object.entries(stages)
  .map(([name, s]) => [Number(/^sweep_(\d+)pt/.exec(name)?.[1]), s])
  .filter(([n]) => n > 0)
  .sort((a, b) => a[0] - b[0]);
if (stages.train === undefined || sweeps.length < 2) {
  console.error(`${file}: needs a train record and two sweep lengths`);
  process.exit(1);
}
const [[shortPoints, shortSeconds], [longPoints, longSeconds]] = sweeps;
// One epoch's train stage includes start-up and three checkpoint evaluations: an upper bound for an epoch of steps.
const epoch = stages.train;
const perPoint = (longSeconds - shortSeconds) / (longPoints - shortPoints);
const sweepFixed = shortSeconds - shortPoints * perPoint;
const train = 160 * epoch;
const sweep = sweepFixed + 100 * perPoint;
const row = (what, seconds, how) => `| ${what} | ${seconds >= 3600 ? `${(seconds / 3600).toFixed(2)} h` : seconds >= 60 ? `${(seconds / 60).toFixed(1)} min` : `${seconds.toFixed(1)} s`} | ${how} |`;
console.log(
  [
    '| part | time | from |',
    '|---|---|---|',
    row('1 epoch of training (391 steps, 3 checkpoint evaluations, start-up)', epoch, 'measured'),
    row('a recompute-BN sweep point (50,000 training + 10,000 test images)', perPoint, `(${longPoints}-point − ${shortPoints}-point sweep) / ${longPoints - shortPoints}`),
    row("a sweep's start-up (process, data, checkpoints, shaders)", sweepFixed, 'measured minus its points'),
    row('training, 160 epochs', train, '160 × the measured epoch (an upper bound: it counts start-up and evaluation 160 times)'),
    row('12 sweeps of 100 points, one GPU', 12 * sweep, '12 × (start-up + 100 points)'),
    row('**the full CIFAR-10 ResNet-20 reproduction, one GPU**', train + 12 * sweep, 'training, then the sweeps (the runner overlaps nothing on one GPU)'),
  ].join('\n'),
);
