// Times a plane's grid evaluated three ways on real checkpoints — the naive per-point loop, the three-pass stem, and the
// three-pass stem with LeNet's ReLU-linear rows — taking turns, and checks that they agree.
//
//   node --import tsx bench/planes/run.ts --train DIR --data DIR [--plane 100|random] [--grid 31] [--rounds 2]
//        [--methods naive,linear-stem,relu-linear]
//
// DIR: a train stage output and the fetch@mnist output (cache/entries/<key>/out, keys in pipeline.lock). Prints a
// Markdown table: wall seconds of each evaluation (data and checkpoints loaded once, before), points/s, the speed-up over
// naive, and the largest relative loss difference and error difference from naive over every point.
import { join } from 'node:path';
import { Command } from 'commander';
import { readTrainRecord } from '../../src/artifacts/train-record.js';
import { selectBackend } from '../../src/ml/backend/select.js';
import { readCheckpoint } from '../../src/ml/checkpoint/files.js';
import { openDataset } from '../../src/ml/datasets/dataset.js';
import { buildModel } from '../../src/ml/models/registry.js';
import { randomPlane } from '../../src/ml/planes/filter-normalize.js';
import { evaluatePlane, type PlaneScores } from '../../src/ml/planes/evaluate-plane.js';
import { gridAroundAnchors, gridAroundOrigin } from '../../src/ml/planes/plane-grid.js';
import { threePointPlane } from '../../src/ml/planes/plane.js';

const options = new Command('bench-planes')
  .requiredOption('--train <dir>')
  .requiredOption('--data <dir>')
  .option('--plane <which>', 'a checkpoint iteration or random', '100')
  .option('--grid <n>', 'points a side', '31')
  .option('--rounds <n>', 'times each method runs, taking turns', '2')
  .option('--methods <list>', 'naive, linear-stem, relu-linear', 'naive,linear-stem,relu-linear')
  .option('--examples <n>', 'only the first n test images (quicker comparisons)')
  .parse()
  .opts<{ train: string; data: string; plane: string; grid: string; rounds: string; methods: string; examples?: string }>();

const backend = await selectBackend({});
const summary = await readTrainRecord(options.train);
const data = await openDataset(options.data, { defer: ['train'] });
if (options.examples) data.test = { ...data.test, count: Math.min(data.test.count, Number(options.examples)), batch: data.test.batch.bind(data.test) };
const model = buildModel(summary.model, data.test.shape, data.test.classes);
const dir = join(options.train, 'checkpoints');
const end = await readCheckpoint(dir, summary.final_iteration, model);
const grid = Number(options.grid);
const plane =
  options.plane === 'random'
    ? randomPlane(model, end, 1, summary.final_iteration)
    : threePointPlane(model, await readCheckpoint(dir, 0, model), await readCheckpoint(dir, Number(options.plane), model), end, {
        start: 0,
        middle: Number(options.plane),
        end: summary.final_iteration,
      });
const at = options.plane === 'random' ? gridAroundOrigin(grid, 1) : gridAroundAnchors(plane.anchors, grid, 0.2);
const methods = options.methods.split(',');
const times = new Map<string, number[]>(methods.map((m) => [m, []]));
const results = new Map<string, PlaneScores>();
for (let round = 0; round < Number(options.rounds); round++) {
  for (const method of methods) {
    const began = performance.now();
    const scores = await evaluatePlane({ model, plane, grid: at, test: data.test, method: method === 'naive' ? 'naive' : 'linear-stem', reluLinear: method === 'relu-linear' });
    times.get(method)!.push((performance.now() - began) / 1000);
    results.set(method, scores);
    console.error(`round ${round + 1}: ${method} ${times.get(method)!.at(-1)!.toFixed(1)} s`);
  }
}
const points = grid * grid;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const reference = results.get('naive') ?? results.get(methods[0])!;
console.log(`${summary.setting}, plane ${options.plane}, ${grid}×${grid} grid, ${data.test.count} test images, backend ${backend.backend}, ${new Date().toISOString()}\n`);
console.log('| method | seconds (each round) | points/s | vs naive | max rel. loss diff | max error diff |');
console.log('|---|---|---|---|---|---|');
for (const method of methods) {
  const t = times.get(method)!;
  const scores = results.get(method)!;
  const lossDiff = Math.max(...scores.grid.map((p, k) => Math.abs(p.test_loss - reference.grid[k].test_loss) / reference.grid[k].test_loss));
  const errorDiff = Math.max(...scores.grid.map((p, k) => Math.abs(p.test_error - reference.grid[k].test_error)));
  const speedUp = times.has('naive') ? `${(median(times.get('naive')!) / median(t)).toFixed(2)}×` : '–';
  console.log(`| ${method} | ${t.map((s) => s.toFixed(1)).join(' / ')} | ${(points / median(t)).toFixed(1)} | ${speedUp} | ${lossDiff.toExponential(1)} | ${errorDiff.toExponential(1)} |`);
}
