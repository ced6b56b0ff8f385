// The training loop: seeded, checkpointing at declared iterations, stopping on a non-finite loss, resumable from a scratch dir.
import { mkdir } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { writeCheckpoint } from '../checkpoint/files.js';
import { ComputeError } from '../compute-error.js';
import type { Dataset } from '../datasets/dataset.js';
import { initialWeights, type HostWeights } from '../models/init.js';
import type { ModelDef } from '../models/spec.js';
import { deriveSeed, mulberry32, permutation } from '../random.js';
import { disposeWeights, download, upload } from './device-weights.js';
import { evaluate, type Evaluation } from './evaluate.js';
import type { HistoryRow } from './history.js';
import { checkCheckpoints, iterationsPerEpoch, totalIterations, type Recipe } from './recipe.js';
import { clearResumeState, loadResumeState, saveResumeState } from './resume-state.js';
import { learningRate } from './schedule.js';
import { sgdStep, type OptimizerState } from './sgd.js';

export interface TrainOptions {
  setting: string;
  model: ModelDef;
  recipe: Recipe;
  data: Dataset;
  backend: string;
  checkpointDir: string;
  /** Where resume state lives (the runner's scratch dir); without it a rerun starts over. */
  resumeDir?: string;
  log?: (line: string) => void;
  /** Called after each optimizer step with the number of steps done; tests use it to simulate a crash. */
  afterStep?: (iteration: number) => void;
  evalBatchSize?: number;
  /**
   * Start from these weights at this iteration instead of initialising at 0: a child branched from a parent's checkpoint
   * (instability analysis, Frankle et al. 2020). The learning-rate schedule, the epoch count and the data order (from
   * recipe.seed) continue from `iteration` as the parent's would have. Momentum buffers start empty, as open_lth's
   * train(start_step=…) does with its fresh optimizer: a checkpoint holds the weights only.
   */
  branch?: { iteration: number; weights: HostWeights };
}

export interface TrainResult {
  iterations: number[];
  finalIteration: number;
  final: Evaluation;
  history: HistoryRow[];
  evaluations: Map<number, Evaluation>;
}

/** Steps whose loss may still be on its way back from the device. */
const lossesInFlight = 8;

export async function train(options: TrainOptions): Promise<TrainResult> {
  const { model, recipe, data, setting } = options;
  const log = options.log ?? (() => {});
  const perEpoch = iterationsPerEpoch(recipe, data.train.count);
  const total = totalIterations(recipe, data.train.count);
  checkCheckpoints(recipe, total);
  const checkpoints = new Set(recipe.checkpoints);
  const branch = options.branch;
  if (branch && !(Number.isInteger(branch.iteration) && branch.iteration >= 0 && branch.iteration <= total)) {
    throw new ComputeError('bad-branch', `setting ${setting}: cannot branch at iteration ${branch.iteration}: the recipe runs 0 … ${total}`);
  }
  const recipeKey = JSON.stringify({ setting, model: model.name, recipe, ...(branch ? { branch: branch.iteration } : {}) });
  await mkdir(options.checkpointDir, { recursive: true });

  // A branch starts like a resume with no history and no momentum; resume state saved by this same branch wins (it is later).
  const saved = options.resumeDir ? await loadResumeState(options.resumeDir, recipeKey, model) : undefined;
  const resumed = saved ?? (branch ? { iteration: branch.iteration, weights: branch.weights, velocity: new Map(), history: [] } : undefined);
  let iteration = resumed?.iteration ?? 0;
  const history: HistoryRow[] = resumed?.history ?? [];
  let state: OptimizerState = {
    weights: upload(model, resumed?.weights ?? initialWeights(model, recipe.seed)),
    velocity: Object.fromEntries([...(resumed?.velocity ?? new Map())].map(([name, data]) => [name, tf.tensor(data, model.tensors.find((s) => s.name === name)!.shape)])),
  };
  if (saved) log(`resuming ${setting} from iteration ${iteration}`);
  else if (branch) log(`branching ${setting} from iteration ${iteration} with data-order seed ${recipe.seed}`);

  const evaluations = new Map<number, Evaluation>();
  const [h, w, c] = data.train.shape;
  let order: Uint32Array | undefined;
  let orderEpoch = -1;
  let lossSum = 0;
  let lossCount = 0;

  const atCheckpoint = async () => {
    const evaluation = await evaluate(model, state.weights, data.test, options.evalBatchSize);
    evaluations.set(iteration, evaluation);
    const host = await download(state.weights);
    await writeCheckpoint(options.checkpointDir, model, host, {
      setting,
      iteration,
      seed: recipe.seed,
      backend: options.backend,
      test_loss: evaluation.loss,
      test_accuracy: evaluation.accuracy,
    });
    log(`checkpoint it${iteration}: test loss ${evaluation.loss.toFixed(4)}, accuracy ${evaluation.accuracy.toFixed(4)}`);
  };

  // Resume state at every checkpoint and every epoch end: late log-spaced checkpoints are far apart, and the history
  // rows close at exactly these iterations, so a resumed run continues with nothing half-accumulated.
  const saveForResume = async () => {
    if (!options.resumeDir || iteration === 0 || iteration >= total) return;
    const [weights, velocity] = [await download(state.weights), await download(state.velocity)];
    await saveResumeState(options.resumeDir, recipeKey, model, { iteration, weights, velocity, history });
  };

  // Step losses are read back a few steps late: waiting for each one would stall a GPU after every step, with the
  // host's batch preparation and the device's work taking turns instead of overlapping. Read in order, so the sums and
  // the reported iteration of a non-finite loss are the same as when each step waited.
  const losses: { loss: tf.Scalar; value: Promise<tf.TypedArray>; iteration: number; epoch: number; lr: number }[] = [];
  const settleLosses = async (keep: number) => {
    while (losses.length > keep) {
      const step = losses.shift()!;
      const loss = (await step.value)[0];
      step.loss.dispose();
      if (!Number.isFinite(loss)) {
        for (const later of losses.splice(0)) later.loss.dispose();
        disposeWeights(state.weights);
        disposeWeights(state.velocity);
        throw new ComputeError(
          'loss-not-finite',
          `setting ${setting}: training loss became ${loss} at iteration ${step.iteration} (epoch ${step.epoch}, lr ${step.lr}); lower recipe.lr or check the data`,
        );
      }
      lossSum += loss;
      lossCount++;
    }
  };

  while (true) {
    // Resumed or branched weights at their own iteration are already saved, except a branch at the very end: its final checkpoint.
    const justResumed = resumed !== undefined && iteration === resumed.iteration && iteration < total;
    if (checkpoints.has(iteration) && !justResumed) await atCheckpoint();
    if ((checkpoints.has(iteration) || iteration % perEpoch === 0) && !justResumed) await saveForResume();
    if (iteration >= total) break;
    const epoch = Math.floor(iteration / perEpoch);
    const step = iteration % perEpoch;
    if (orderEpoch !== epoch) {
      order = permutation(data.train.count, mulberry32(deriveSeed(recipe.seed, 'shuffle', epoch)));
      orderEpoch = epoch;
    }
    const indices = order!.subarray(step * recipe.batch_size, Math.min(data.train.count, (step + 1) * recipe.batch_size));
    const batch = await data.train.batch(indices, {
      augment: recipe.augment,
      random: mulberry32(deriveSeed(recipe.seed, 'augment', epoch, step)),
    });
    const lr = learningRate(recipe, iteration, perEpoch);
    const x = tf.tensor4d(batch.x, [batch.n, h, w, c]);
    const labels = tf.tensor1d(batch.y, 'int32');
    const result = sgdStep(model, state, x, labels, { lr, momentum: recipe.momentum, weightDecay: recipe.weight_decay });
    x.dispose();
    labels.dispose();
    state = result.state;
    losses.push({ loss: result.loss, value: result.loss.data(), iteration: iteration + 1, epoch, lr });
    iteration++;
    await settleLosses(lossesInFlight);
    if (iteration % perEpoch === 0 || checkpoints.has(iteration) || iteration === total) {
      await settleLosses(0);
      history.push({ iteration, train_loss: lossSum / lossCount, lr });
      if (iteration % perEpoch === 0) log(`epoch ${iteration / perEpoch} (iteration ${iteration}): train loss ${(lossSum / lossCount).toFixed(4)}, lr ${lr}`);
      lossSum = 0;
      lossCount = 0;
    }
    options.afterStep?.(iteration);
  }

  const finalEvaluation = evaluations.get(total) ?? (await evaluate(model, state.weights, data.test, options.evalBatchSize));
  disposeWeights(state.weights);
  disposeWeights(state.velocity);
  if (options.resumeDir) await clearResumeState(options.resumeDir);
  return { iterations: recipe.checkpoints, finalIteration: total, final: finalEvaluation, history, evaluations };
}
