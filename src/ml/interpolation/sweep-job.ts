// A sweep described by files (dataset dir, two checkpoints), so it can be run here or in worker threads with their own tfjs.
import { isGpuBackend, selectBackend } from '../backend/select.js';
import { readCheckpoint } from '../checkpoint/files.js';
import { openDataset } from '../datasets/dataset.js';
import { buildModel } from '../models/registry.js';
import type { BnMode } from './path-weights.js';
import { sweepScores, type Shard, type SweepOptions, type SweepScores } from './sweep.js';

/** One end of the line: a checkpoint of some run (a checkpoint θ_t and the final θ_T of one run, or two children's finals). */
export interface SweepEndpoint {
  checkpointDir: string;
  iteration: number;
}

export interface SweepJob {
  backend: string; // the backend the parent chose; workers force the same one
  dataDir: string;
  model: string;
  /** x = 0. */
  start: SweepEndpoint;
  /** x = 1. */
  end: SweepEndpoint;
  points: number;
  bnMode: BnMode;
  trainLoss: boolean;
  batchSize?: number;
}

/** A worker's part of a job: some of its points, or a share of its batches; all of it when empty. */
export interface JobShare {
  only?: readonly number[];
  shard?: Shard;
}

/** How a sweep runs best on `backend`: the stage and the GPU benchmark both take these. */
export function backendSweepOptions(backend: string): Pick<SweepOptions, 'stemBudgetFloats' | 'reluLinear' | 'stackPoints'> {
  return {
    // On a GPU, big batches: with ResNet-50's 0.8 M-float stem output the host default would mean batches of 5,
    // and θ(x) of 25 M weights rebuilt for every (batch, point). WebGPU keeps the head's activations of a whole batch
    // in its buffer pool: 32 M floats keeps a ResNet-20 sweep near 1 GB.
    stemBudgetFloats: backend === 'tensorflow-gpu' ? 256 * 1024 * 1024 : backend === 'webgpu' ? 32 * 1024 * 1024 : undefined,
    // A GPU runs the layer's product at every point faster than the host runs the ReLU-linear path's loops…
    reluLinear: !isGpuBackend(backend),
    // …and several points per dispatch where the model allows it, instead of paying each dispatch's overhead per point.
    stackPoints: isGpuBackend(backend),
  };
}

/** Runs the job's `share` in this thread; selects the backend first when asked to. */
export async function runSweepJob(job: SweepJob, share: JobShare = {}, options: { selectBackend?: boolean; onProgress?: (done: number, total: number) => void } = {}): Promise<SweepScores> {
  if (options.selectBackend) await selectBackend({ forced: job.backend });
  const data = await openDataset(job.dataDir, { defer: ['train'] });
  const model = buildModel(job.model, data.test.shape, data.test.classes);
  const start = await readCheckpoint(job.start.checkpointDir, job.start.iteration, model);
  const end = await readCheckpoint(job.end.checkpointDir, job.end.iteration, model);
  return sweepScores({
    model,
    start,
    end,
    test: data.test,
    train: data.train,
    points: job.points,
    only: share.only,
    shard: share.shard,
    bnMode: job.bnMode,
    trainLoss: job.trainLoss,
    batchSize: job.batchSize,
    onProgress: options.onProgress,
    ...backendSweepOptions(job.backend),
  });
}
