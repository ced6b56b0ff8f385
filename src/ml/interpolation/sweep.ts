// The sweep: test loss and error (optionally train loss) at `points` evenly spaced x on the line from θ_t to θ_T.
import * as tf from '@tensorflow/tfjs';
import { ComputeError } from '../compute-error.js';
import type { Split } from '../datasets/dataset.js';
import { batchSizeForBudget, defaultStemBudgetFloats } from '../models/batch-budget.js';
import type { HostWeights } from '../models/init.js';
import type { BnContext, ModelDef, Weights } from '../models/spec.js';
import { disposeWeights, upload } from '../training/device-weights.js';
import { batchRanges } from '../training/evaluate.js';
import { scoreBatch } from '../training/loss.js';
import { BnStatistics } from './bn-statistics.js';
import { linspace01 } from './linspace.js';
import { pathWeights, type BnMode } from './path-weights.js';

export interface SweepOptions {
  model: ModelDef;
  start: HostWeights; // θ_t
  end: HostWeights; // θ_T
  test: Split;
  train?: Split; // needed for trainLoss and for bnMode "recompute"
  points: number;
  /** Evaluate only these point indices (0 … points−1) of linspace(0, 1, points); default all. Lets workers share a sweep. */
  only?: readonly number[];
  bnMode: BnMode;
  trainLoss?: boolean;
  /**
   * Evaluate the first layer once at each end and interpolate its output: it is linear in its weights, so
   * f(θ(x)) = (1−x)·f(θ_t) + x·f(θ_T). Off: the straightforward evaluation at every x (for comparison).
   */
  linearStem?: boolean;
  batchSize?: number; // default: as many examples as keep a stem output near `stemBudgetFloats`, at most 10,000
  /** Size of one batch's stem output the default batch size aims at (default 4 M floats, 16 MB: host memory). */
  stemBudgetFloats?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SweepRow {
  index?: number; // position in linspace(0, 1, points); set only for partial sweeps (`only`)
  x: number;
  test_loss: number;
  test_error: number;
  train_loss?: number;
}

const cacheBudgetFloats = 64 * 1024 * 1024;


function sameWeights(a: HostWeights, b: HostWeights): boolean {
  if (a === b) return true;
  for (const [name, values] of a) {
    const other = b.get(name);
    if (!other || !Buffer.from(values.buffer, values.byteOffset, values.byteLength).equals(Buffer.from(other.buffer, other.byteOffset, other.byteLength))) return false;
  }
  return a.size === b.size;
}

export async function sweep(options: SweepOptions): Promise<SweepRow[]> {
  const { model, points, bnMode } = options;
  const linearStem = options.linearStem ?? true;
  if (!Number.isInteger(points) || points < 1) throw new ComputeError('bad-sweep-options', `points must be a positive integer, got ${points}`);
  if ((bnMode === 'recompute' || options.trainLoss) && !options.train) {
    throw new ComputeError('bad-sweep-options', `bn_mode "${bnMode}"${options.trainLoss ? ' with train_loss' : ''} needs the training split`);
  }
  const allXs = linspace01(points);
  const selected = options.only ? [...options.only] : allXs.map((_, k) => k);
  if (selected.some((k) => !Number.isInteger(k) || k < 0 || k >= points)) throw new ComputeError('bad-sweep-options', `point indices must lie in 0..${points - 1}`);
  const xs = selected.map((k) => allXs[k]);
  if (xs.length > 1 && sameWeights(options.start, options.end)) {
    // θ_t = θ_T (the sweep from the final checkpoint): every point is the same network, evaluated once.
    const [row] = await sweep({ ...options, end: options.start, only: [selected[0]] });
    return selected.map((k) => ({ ...row, ...(options.only ? { index: k } : {}), x: allXs[k] }));
  }
  const start = upload(model, options.start);
  const end = upload(model, options.end);
  const batchSize = options.batchSize ?? batchSizeForBudget(model, start, options.stemBudgetFloats ?? defaultStemBudgetFloats);
  const stemNames = new Set(model.stemTensors);
  const headNames = model.tensors.map((t) => t.name).filter((n) => !linearStem || !stemNames.has(n));
  const hasBn = model.tensors.some((t) => t.name.endsWith('.running_mean'));
  const [h, w, c] = model.inputShape;

  let recomputed: Weights[] | undefined;
  const work = { done: 0, total: 0 };
  const splitWork = (s: Split) => Math.ceil(s.count / batchSize) * xs.length;
  work.total = splitWork(options.test) + (options.trainLoss ? splitWork(options.train!) : 0) + (bnMode === 'recompute' && hasBn ? splitWork(options.train!) : 0);
  const tick = () => options.onProgress?.(++work.done, work.total);

  // θ(x) of the non-stem tensors is reused for every batch when all points fit in memory; else rebuilt per batch.
  const headSize = model.tensors.filter((t) => headNames.includes(t.name)).reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
  const cache = headSize * xs.length <= cacheBudgetFloats ? new Map<number, Weights>() : undefined;
  const weightsAt = (k: number): Weights => {
    const cached = cache?.get(k);
    if (cached) return cached;
    const made = pathWeights(model, start, end, xs[k], bnMode, headNames, recomputed?.[k]);
    cache?.set(k, made);
    return made;
  };
  const releaseAt = (weights: Weights) => {
    if (!cache) disposeWeights(weights);
  };
  const clearCache = () => {
    for (const weights of cache?.values() ?? []) disposeWeights(weights);
    cache?.clear();
  };

  /** Runs `visit` on the head's input for every (batch, point), batches outermost so each batch is uploaded once. */
  const forEachBatchAndPoint = async (split: Split, visit: (k: number, weights: Weights, stemOut: tf.Tensor, labels: Int32Array) => Promise<void>) => {
    for (const indices of batchRanges(split.count, batchSize)) {
      const batch = await split.batch(indices);
      const input = tf.tensor4d(batch.x, [batch.n, h, w, c]);
      // f(θ_t) and f(θ_T) − f(θ_t): then f(θ(x)) = f(θ_t) + x·(f(θ_T) − f(θ_t)) costs two passes per point.
      const ends = linearStem ? tf.tidy(() => { const a = model.stem(start, input); return [a, tf.sub(model.stem(end, input), a)]; }) : undefined;
      const last = linearStem ? (xs.includes(1) ? model.stem(end, input) : undefined) : undefined;
      for (let k = 0; k < xs.length; k++) {
        const weights = weightsAt(k);
        const stemOut = tf.tidy(() => {
          // Both ends are the exact networks' outputs, not a rounding of them.
          if (ends) return xs[k] === 0 ? tf.clone(ends[0]) : xs[k] === 1 ? tf.clone(last!) : tf.add(ends[0], tf.mul(ends[1], xs[k]));
          const stemWeights = pathWeights(model, start, end, xs[k], bnMode, model.stemTensors);
          return model.stem(stemWeights, input);
        });
        await visit(k, weights, stemOut, batch.y);
        stemOut.dispose();
        releaseAt(weights);
        tick();
      }
      input.dispose();
      for (const t of ends ?? []) t.dispose();
      last?.dispose();
    }
  };

  try {
    if (bnMode === 'recompute' && hasBn) {
      // Pass 1: at every x, BN running on batch statistics as in training, their average over the training set.
      const statistics = new BnStatistics(xs.length);
      await forEachBatchAndPoint(options.train!, async (k, weights, stemOut) => {
        const observed: NonNullable<BnContext['observed']> = new Map();
        tf.tidy(() => {
          model.head(weights, stemOut, { training: true, noGradient: true, observed });
        });
        statistics.add(k, observed);
      });
      recomputed = statistics.finish();
      clearCache(); // cached θ(x) were built without the recomputed statistics
    }

    const evaluateSplit = async (split: Split) => {
      const lossSums = new Float64Array(xs.length);
      const correct = new Float64Array(xs.length);
      await forEachBatchAndPoint(split, async (k, weights, stemOut, labels) => {
        const logits = tf.tidy(() => model.head(weights, stemOut, { training: false }));
        const score = await scoreBatch(logits, labels, model.classes);
        logits.dispose();
        lossSums[k] += score.lossSum;
        correct[k] += score.correct;
      });
      return { loss: [...lossSums].map((s) => s / split.count), error: [...correct].map((s) => 1 - s / split.count) };
    };

    const test = await evaluateSplit(options.test);
    const trainScores = options.trainLoss ? await evaluateSplit(options.train!) : undefined;
    return xs.map((x, k) => ({
      ...(options.only ? { index: selected[k] } : {}),
      x,
      test_loss: test.loss[k],
      test_error: test.error[k],
      ...(trainScores ? { train_loss: trainScores.loss[k] } : {}),
    }));
  } finally {
    clearCache();
    for (const stats of recomputed ?? []) disposeWeights(stats);
    disposeWeights(start);
    disposeWeights(end);
  }
}
