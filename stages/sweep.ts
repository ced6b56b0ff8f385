// Stage program: evaluates the straight line between two checkpoints (sweep.csv and sweep.json: src/artifacts/sweep-output.ts):
// by default from one checkpoint θ_t to the same run's final weights θ_T, or, with --end, to another run's final weights
// (the two children of the instability analysis).
//
//   node --import tsx stages/sweep.ts --train DIR --data DIR --iteration N --out DIR
//   node --import tsx stages/sweep.ts --train DIR --end DIR --data DIR [--iteration N] --out DIR
//        [--points 100] [--bn-mode interpolate|recompute|endpoint] [--train-loss] [--batch-size N] [--workers N]
//        [--backend NAME] [--params FILE]
//
// --train is the train stage's output (train.json names the setting, model and final iteration); x = 0 is its checkpoint
// --iteration. x = 1 is the final checkpoint of --end (a train stage output of the same setting and model), default --train.
// A sweep with --end records both runs (seed, iteration, branch point) in sweep.json's endpoints. Params ($PIPELINE_PARAMS)
// may set points, bn_mode, train_loss, batch_size and workers; a flag wins over a param. --workers: threads, each with its
// own tfjs (wasm is single-threaded in Node), sharing the test examples (the points, under bn_mode recompute); default 1
// under the runner ($PIPELINE_STAGE set: it runs sweeps side by side already, and each worker pays ~1 s to load data),
// else min(2, CPU cores). BatchNorm statistics at x:
//   interpolate  (1−x)·stats_t + x·stats_T, like every other tensor (default)
//   recompute    averaged over the training set at each x (BN on batch statistics, batch means and unbiased variances
//                weighted by batch size, as PyTorch stores them)
//   endpoint     the nearer end's statistics (θ_t's for x < 0.5, θ_T's otherwise), so both ends are exact
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { ArtifactError } from '../src/artifacts/errors.js';
import { writeMetrics } from '../src/artifacts/metrics.js';
import { writeSweepOutput, type SweepEndpointInfo } from '../src/artifacts/sweep-output.js';
import { readTrainRecord, type TrainRecord } from '../src/artifacts/train-record.js';
import { bnModes } from '../src/ml/interpolation/path-weights.js';
import { parseSweepSettings } from '../src/ml/interpolation/sweep-settings.js';
import { isGpuBackend } from '../src/ml/backend/select.js';
import { parallelSweep } from '../src/ml/interpolation/parallel-sweep.js';
import type { SweepJob } from '../src/ml/interpolation/sweep-job.js';
import { peakRssMb, readParams, startBackend } from './support/compute-stage.js';
import { stageEnv } from './support/stage-env.js';
import { runStage, UsageError } from './support/stage-main.js';
import { summarizeCurve } from '../src/ml/interpolation/curve-summary.js';

interface Options {
  train: string;
  data: string;
  iteration?: string;
  out: string;
  end?: string;
  points?: string;
  bnMode?: string;
  trainLoss?: boolean;
  batchSize?: string;
  workers?: string;
  backend?: string;
  params?: string;
}

const program = new Command('sweep')
  .description('Test loss and error at evenly spaced points from checkpoint --iteration to the final weights (of --train, or of --end).')
  .requiredOption('--train <dir>', 'the train stage output (checkpoints/ and train.json)')
  .requiredOption('--data <dir>', 'dataset directory (the fetch-data stage output)')
  .option('--iteration <n>', 'checkpoint iteration t of --train to start from (required unless --end is given; then default its final iteration)')
  .requiredOption('--out <dir>', 'output directory (the stage ${out})')
  .option('--end <dir>', 'the run whose final weights are x = 1 (a train stage output of the same setting; default --train)')
  .option('--points <n>', 'number of x values in linspace(0, 1), both ends included (default: params.points or 100)')
  .option('--bn-mode <mode>', `BatchNorm statistics: ${bnModes.join(' | ')} (default: params.bn_mode or interpolate)`)
  .option('--train-loss', 'also compute the training-set loss (default: params.train_loss or off)')
  .option('--batch-size <n>', 'evaluation batch size (default: params.batch_size, else sized to memory)')
  .option('--workers <n>', 'threads sharing the work, this one included (default: params.workers, else 1 under the runner or on a GPU, min(2, CPU cores) alone)')
  .option('--backend <name>', 'force a backend: tensorflow-gpu, webgpu, tensorflow, wasm, cpu')
  .option('--params <file>', 'params JSON (default $PIPELINE_PARAMS)')
  .exitOverride();

/** --train and --end name folders: one without a readable train.json is a usage error (exit 2), as a wrong flag is. */
async function readTrainFlag(flag: string, dir: string): Promise<TrainRecord> {
  try {
    return await readTrainRecord(dir);
  } catch (error) {
    if (error instanceof ArtifactError) throw new UsageError(`${flag} ${dir}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** What sweep.json says of an end that is not the start run's own final checkpoint. */
function endpointInfo(run: TrainRecord, iteration: number): SweepEndpointInfo {
  return { seed: run.seed, iteration, ...(run.branched_from ? { branched_from: run.branched_from } : {}) };
}

async function main(): Promise<void> {
  program.parse();
  const options = program.opts<Options>();
  const params = await readParams(options.params);
  if (options.iteration === undefined && options.end === undefined) throw new UsageError('--iteration: required unless --end is given');
  const parsedIteration = options.iteration === undefined ? undefined : Number(options.iteration);
  if (parsedIteration !== undefined && !(Number.isInteger(parsedIteration) && parsedIteration >= 0)) throw new UsageError(`--iteration ${options.iteration}: expected a non-negative integer`);
  const { points, bnMode, trainLoss, batchSize, workers: requestedWorkers } = parseSweepSettings(params, options);
  const summary = await readTrainFlag('--train', options.train);
  const iteration = parsedIteration ?? summary.final_iteration;
  if (!summary.iterations.includes(iteration)) {
    throw new UsageError(`--iteration ${iteration}: ${options.train} has checkpoints at ${summary.iterations.join(', ')}`);
  }
  const endDir = options.end ?? options.train;
  const endRun = options.end === undefined ? summary : await readTrainFlag('--end', options.end);
  if (endRun.setting !== summary.setting || endRun.model !== summary.model) {
    throw new UsageError(`--end ${endDir}: holds ${endRun.setting} (${endRun.model}), --train ${summary.setting} (${summary.model}); a line needs two weights of one model`);
  }
  const setting = summary.setting;
  const backend = await startBackend('sweep', options.backend);
  // Threads only pay on a CPU backend (wasm is single-threaded in Node); a GPU is one device however many threads feed it.
  const workers = requestedWorkers ?? (stageEnv().underRunner || isGpuBackend(backend.backend) ? 1 : Math.min(2, availableParallelism()));
  const began = performance.now();
  const job: SweepJob = {
    backend: backend.backend,
    dataDir: options.data,
    model: summary.model,
    start: { checkpointDir: join(options.train, 'checkpoints'), iteration },
    end: { checkpointDir: join(endDir, 'checkpoints'), iteration: endRun.final_iteration },
    points,
    bnMode,
    trainLoss,
    batchSize,
  };
  const rows = await parallelSweep(job, workers, (line) => console.log(`sweep: ${line}`));
  const seconds = (performance.now() - began) / 1000;

  await mkdir(options.out, { recursive: true });
  await writeSweepOutput(options.out, {
    setting,
    seed: summary.seed,
    iteration,
    final_iteration: endRun.final_iteration,
    points,
    bn_mode: bnMode,
    backend: backend.backend,
    rows,
    ...(options.end === undefined ? {} : { endpoints: { start: endpointInfo(summary, iteration), end: endpointInfo(endRun, endRun.final_iteration) } }),
  });
  // What `pipeline verify` compares with the lock (metrics: [metrics.json] in pipeline.yaml).
  await writeMetrics(options.out, summarizeCurve(rows));
  console.log(
    `sweep: ${setting} it${iteration} → ${options.end === undefined ? '' : `${endDir} `}it${endRun.final_iteration}: ${points} points in ${seconds.toFixed(2)} s ` +
      `(${(points / seconds).toFixed(1)} points/s, ${workers} worker${workers > 1 ? 's' : ''}), loss ${rows[0].test_loss.toFixed(4)} → ${rows.at(-1)!.test_loss.toFixed(4)}, peak RSS ${peakRssMb()} MB`,
  );
}

runStage('sweep', main);
