// Stage program: test loss and error on a grid over a plane in weight space (plane.csv, plane.json: src/artifacts/plane-output.ts).
//
//   node --import tsx stages/plane.ts --train DIR --data DIR --plane T|random --out DIR
//        [--grid 31] [--margin 0.2] [--span 1] [--seed 1] [--method linear-stem|naive] [--batch-size N]
//        [--backend NAME] [--params FILE]
//
// --plane T (a checkpoint iteration, neither 0 nor the last): the plane through θ_0, θ_T' and the final weights, which
// holds the paper's paths from θ_0 and from θ_t; orthonormal coordinates (Gram–Schmidt), origin θ_0, a along the path
// θ_0 → final; the grid covers the three points with a margin. --plane random: θ_final + a·δ + b·η for two seeded
// filter-normalised Gaussian directions (Li et al. 2018), a, b ∈ [−span, span]. Params ($PIPELINE_PARAMS) may set grid,
// margin, span, seed, method and batch_size; a flag wins. --method naive evaluates the whole network at every point (the
// reference the default is measured against in docs/benchmarks.md).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { ArtifactError } from '../src/artifacts/errors.js';
import { writeMetrics } from '../src/artifacts/metrics.js';
import { writePlaneOutput, type PlaneRecord } from '../src/artifacts/plane-output.js';
import { readTrainRecord, type TrainRecord } from '../src/artifacts/train-record.js';
import { readCheckpoint } from '../src/ml/checkpoint/files.js';
import { openDataset } from '../src/ml/datasets/dataset.js';
import { buildModel } from '../src/ml/models/registry.js';
import { randomPlane } from '../src/ml/planes/filter-normalize.js';
import { evaluatePlane } from '../src/ml/planes/evaluate-plane.js';
import { planeMetrics } from '../src/ml/planes/plane-metrics.js';
import { gridAroundAnchors, gridAroundOrigin } from '../src/ml/planes/plane-grid.js';
import { parsePlaneSettings, planeMethods, type PlaneFlags } from '../src/ml/planes/plane-settings.js';
import { threePointPlane, type Plane } from '../src/ml/planes/plane.js';
import { isGpuBackend } from '../src/ml/backend/select.js';
import { peakRssMb, readParams, startBackend } from './support/compute-stage.js';
import { runStage, UsageError } from './support/stage-main.js';

interface Options extends PlaneFlags {
  train: string;
  data: string;
  plane: string;
  out: string;
  backend?: string;
  params?: string;
}

const PATH_COORDINATES =
  'origin θ_0; a along θ_T − θ_0 and b along the part of θ_t − θ_0 orthogonal to it, unit vectors over the trainable tensors ' +
  '(distances are Euclidean distances in weight space); every tensor, BatchNorm running statistics included, is the same ' +
  'affine combination of θ_0, θ_t, θ_T (a running variance below 0 outside the triangle is taken as 0)';
const RANDOM_COORDINATES =
  'origin θ_T; a and b along two seeded standard-normal directions with each filter (output unit) scaled to the norm of ' +
  "θ_T's filter (Li et al. 2018); biases, BatchNorm parameters and running statistics have a zero direction (stay at θ_T's)";

const program = new Command('plane')
  .description('Test loss and error on a grid over the plane through θ_0, θ_t, θ_T, or around θ_T along random directions.')
  .requiredOption('--train <dir>', 'the train stage output (checkpoints/ and train.json)')
  .requiredOption('--data <dir>', 'dataset directory (the fetch-data stage output)')
  .requiredOption('--plane <t|random>', 'a checkpoint iteration t (the plane through θ_0, θ_t, θ_T) or "random" (around θ_T)')
  .requiredOption('--out <dir>', 'output directory (the stage ${out})')
  .option('--grid <n>', 'points a side (default: params.grid or 31)')
  .option('--margin <f>', 'path planes: pad around the three points, as a fraction of their extent (default: params.margin or 0.2)')
  .option('--span <f>', 'random planes: a, b in [-span, span] (default: params.span or 1)')
  .option('--seed <n>', 'random planes: seed of the directions (default: params.seed or 1)')
  .option('--method <m>', `${planeMethods.join(' | ')} (default: params.method or linear-stem)`)
  .option('--batch-size <n>', 'evaluation batch size (default: params.batch_size, else sized to memory)')
  .option('--backend <name>', 'force a backend: tensorflow-gpu, webgpu, tensorflow, wasm, cpu')
  .option('--params <file>', 'params JSON (default $PIPELINE_PARAMS)')
  .exitOverride();

async function readTrainFlag(dir: string): Promise<TrainRecord> {
  try {
    return await readTrainRecord(dir);
  } catch (error) {
    if (error instanceof ArtifactError) throw new UsageError(`--train ${dir}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** --plane names a checkpoint strictly between 0 and the last (else the three points do not span a plane), or "random". */
function parsePlaneFlag(value: string, summary: TrainRecord): number | 'random' {
  if (value === 'random') return 'random';
  const t = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!summary.iterations.includes(t)) throw new UsageError(`--plane ${value}: expected "random" or a checkpoint iteration of ${summary.setting} (${summary.iterations.join(', ')})`);
  if (t === 0 || t === summary.final_iteration) throw new UsageError(`--plane ${value}: θ_0, θ_${t} and θ_${summary.final_iteration} are two points, not a plane; choose a checkpoint between them`);
  if (!summary.iterations.includes(0)) throw new UsageError(`--plane ${value}: ${summary.setting} has no checkpoint at iteration 0`);
  return t;
}

async function main(): Promise<void> {
  program.parse();
  const options = program.opts<Options>();
  const settings = parsePlaneSettings(await readParams(options.params), options);
  const summary = await readTrainFlag(options.train);
  const which = parsePlaneFlag(options.plane, summary);
  const backend = await startBackend('plane', options.backend);
  const data = await openDataset(options.data, { defer: ['train'] });
  const model = buildModel(summary.model, data.test.shape, data.test.classes);
  const checkpoints = join(options.train, 'checkpoints');
  const end = await readCheckpoint(checkpoints, summary.final_iteration, model);
  let plane: Plane;
  if (which === 'random') plane = randomPlane(model, end, settings.seed, summary.final_iteration);
  else {
    const [start, middle] = await Promise.all([readCheckpoint(checkpoints, 0, model), readCheckpoint(checkpoints, which, model)]);
    plane = threePointPlane(model, start, middle, end, { start: 0, middle: which, end: summary.final_iteration });
  }
  const grid = which === 'random' ? gridAroundOrigin(settings.grid, settings.span) : gridAroundAnchors(plane.anchors, settings.grid, settings.margin);

  const began = performance.now();
  let last = 0;
  const scores = await evaluatePlane({
    model,
    plane,
    grid,
    extra: plane.anchors,
    test: data.test,
    method: settings.method,
    // The host-side ReLU-linear rows pay on a CPU; a GPU runs the layer's product at every point faster.
    reluLinear: !isGpuBackend(backend.backend),
    batchSize: settings.batchSize,
    onProgress: (done, total) => {
      if (Date.now() - last > 10_000 || done === total) {
        last = Date.now();
        console.log(`plane: ${done}/${total} (batch, point) evaluations`);
      }
    },
  });
  const seconds = (performance.now() - began) / 1000;

  const record: PlaneRecord = {
    setting: summary.setting,
    plane: String(which),
    kind: which === 'random' ? 'random' : 'path',
    final_iteration: summary.final_iteration,
    coordinates: which === 'random' ? RANDOM_COORDINATES : PATH_COORDINATES,
    ...(which === 'random' ? { seed: settings.seed } : {}),
    a: grid.as,
    b: grid.bs,
    anchors: plane.anchors.map((anchor, i) => ({ name: anchor.name, iteration: anchor.iteration, ...scores.extra[i] })),
    rows: scores.grid,
    method: settings.method,
    backend: backend.backend,
  };
  await mkdir(options.out, { recursive: true });
  await writePlaneOutput(options.out, record);
  // What `pipeline verify` compares with the lock (metrics: [metrics.json] in pipeline.yaml).
  await writeMetrics(options.out, planeMetrics(record));
  const points = scores.grid.length + scores.extra.length;
  console.log(
    `plane: ${summary.setting} ${which === 'random' ? `random (seed ${settings.seed})` : `θ_0, θ_${which}, θ_${summary.final_iteration}`}: ` +
      `${settings.grid}×${settings.grid} grid + ${scores.extra.length} anchors, ${settings.method}, ${points} points in ${seconds.toFixed(2)} s ` +
      `(${(points / seconds).toFixed(1)} points/s), peak RSS ${peakRssMb()} MB`,
  );
}

runStage('plane', main);
