// The sweep: test loss and error (optionally train loss) at `points` evenly spaced x on the line from θ_t to θ_T.
import * as tf from '@tensorflow/tfjs';
import type { SweepPoint } from '../../artifacts/sweep-output.js';
import { ComputeError } from '../compute-error.js';
import type { Batch, Split } from '../datasets/dataset.js';
import { batchSizeForBudget, defaultStemBudgetFloats } from '../models/batch-budget.js';
import type { HostWeights } from '../models/init.js';
import type { BnContext, FoldedConv, ModelDef, ReluLinearHead, Weights } from '../models/spec.js';
import { disposeWeights, upload } from '../training/device-weights.js';
import { batchRanges } from '../training/evaluate.js';
import { scoreBatch } from '../training/loss.js';
import { BnStatistics } from './bn-statistics.js';
import { linspace01 } from './linspace.js';
import { pathWeights, type BnMode } from './path-weights.js';
import { reluLinearAtPoints } from './relu-linear-path.js';
import { scoreStackedPoints, stackSize } from './stacked-points.js';

export interface SweepOptions {
  model: ModelDef;
  start: HostWeights; // θ_t
  end: HostWeights; // θ_T
  test: Split;
  train?: Split; // needed for trainLoss and for bnMode "recompute"
  points: number;
  /** Evaluate only these point indices (0 … points−1) of linspace(0, 1, points); default all. Lets workers share a sweep. */
  only?: readonly number[];
  /** Evaluate only this share of the batches (batch b when b mod count = index). Lets workers share the examples. */
  shard?: Shard;
  bnMode: BnMode;
  trainLoss?: boolean;
  /**
   * Evaluate the first layer once at each end and interpolate its output: it is linear in its weights, so
   * f(θ(x)) = (1−x)·f(θ_t) + x·f(θ_T). With it, a head that begins ReLU → linear layer (ModelDef.reluLinearHead)
   * gets that layer at every x at once (relu-linear-path.ts). Off: the straightforward evaluation at every x.
   */
  linearStem?: boolean;
  /** Use ModelDef.reluLinearHead when the model has one (default true). Its host-side work only pays off on a CPU. */
  reluLinear?: boolean;
  /** Evaluate many points per dispatch with ModelDef.pointStackedHead when the model has one (GPUs; default false). */
  stackPoints?: boolean;
  batchSize?: number; // default: as many examples as keep a stem output near `stemBudgetFloats`, at most 10,000
  /** Size of one batch's stem output the default batch size aims at (default 4 M floats, 16 MB: host memory). */
  stemBudgetFloats?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface Shard {
  index: number;
  count: number;
}

/** A row of sweep.csv/sweep.json (src/artifacts/sweep-output.ts), with its position when the sweep is partial. */
export interface SweepRow extends SweepPoint {
  index?: number; // position in linspace(0, 1, points); set only for partial sweeps (`only`)
}

/** One batch's summed cross-entropy and top-1 hits at each evaluated point. */
export interface BatchScores {
  batch: number;
  lossSums: number[];
  correct: number[];
}

export interface SplitScores {
  count: number; // examples in the whole split, not just this shard
  batches: BatchScores[];
}

/** What a sweep (or a share of one) measured: per batch and point, so shares add up in one fixed order. */
export interface SweepScores {
  points: number;
  indices: number[]; // the evaluated point indices, ascending
  test: SplitScores;
  train?: SplitScores;
}

const cacheBudgetFloats = 64 * 1024 * 1024;
const pathBudgetFloats = 8 * 1024 * 1024;

function sameWeights(a: HostWeights, b: HostWeights): boolean {
  if (a === b) return true;
  for (const [name, values] of a) {
    const other = b.get(name);
    if (!other || !Buffer.from(values.buffer, values.byteOffset, values.byteLength).equals(Buffer.from(other.buffer, other.byteOffset, other.byteLength))) return false;
  }
  return a.size === b.size;
}

export async function sweep(options: SweepOptions): Promise<SweepRow[]> {
  return rowsFromScores([await sweepScores(options)], options.only !== undefined);
}

/** The rows of a sweep from the scores of its shares (point subsets or batch shards), summed in batch order. */
export function rowsFromScores(parts: readonly SweepScores[], withIndex: boolean): SweepRow[] {
  const xs = linspace01(parts[0].points);
  const indices = [...new Set(parts.flatMap((p) => p.indices))].sort((a, b) => a - b);
  const mean = (split: 'test' | 'train') => {
    const byPoint = new Map<number, { batch: number; loss: number; correct: number }[]>(indices.map((k) => [k, []]));
    let count = 0;
    for (const part of parts) {
      const scores = part[split];
      if (!scores) return undefined;
      count = scores.count;
      for (const b of scores.batches) part.indices.forEach((k, at) => byPoint.get(k)!.push({ batch: b.batch, loss: b.lossSums[at], correct: b.correct[at] }));
    }
    return new Map(
      [...byPoint].map(([k, batches]) => {
        batches.sort((a, b) => a.batch - b.batch);
        const loss = batches.reduce((sum, b) => sum + b.loss, 0);
        const correct = batches.reduce((sum, b) => sum + b.correct, 0);
        return [k, { loss: loss / count, error: 1 - correct / count }];
      }),
    );
  };
  const test = mean('test')!;
  const train = mean('train');
  return indices.map((k) => ({
    ...(withIndex ? { index: k } : {}),
    x: xs[k],
    test_loss: test.get(k)!.loss,
    test_error: test.get(k)!.error,
    ...(train ? { train_loss: train.get(k)!.loss } : {}),
  }));
}

export async function sweepScores(options: SweepOptions): Promise<SweepScores> {
  const { model, points, bnMode } = options;
  const linearStem = options.linearStem ?? true;
  if (!Number.isInteger(points) || points < 1) throw new ComputeError('bad-sweep-options', `points must be a positive integer, got ${points}`);
  if ((bnMode === 'recompute' || options.trainLoss) && !options.train) {
    throw new ComputeError('bad-sweep-options', `bn_mode "${bnMode}"${options.trainLoss ? ' with train_loss' : ''} needs the training split`);
  }
  const allXs = linspace01(points);
  const selected = [...new Set(options.only ?? allXs.map((_, k) => k))].sort((a, b) => a - b);
  if (selected.some((k) => !Number.isInteger(k) || k < 0 || k >= points)) throw new ComputeError('bad-sweep-options', `point indices must lie in 0..${points - 1}`);
  const shard = options.shard ?? { index: 0, count: 1 };
  if (!Number.isInteger(shard.count) || shard.count < 1 || !Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new ComputeError('bad-sweep-options', `shard ${shard.index} of ${shard.count} does not exist`);
  }
  const xs = selected.map((k) => allXs[k]);
  if (xs.length > 1 && sameWeights(options.start, options.end)) {
    // θ_t = θ_T (the sweep from the final checkpoint): every point is the same network, evaluated once.
    const once = await sweepScores({ ...options, end: options.start, only: [selected[0]] });
    const spread = (scores: SplitScores): SplitScores => ({
      count: scores.count,
      batches: scores.batches.map((b) => ({ batch: b.batch, lossSums: selected.map(() => b.lossSums[0]), correct: selected.map(() => b.correct[0]) })),
    });
    return { points, indices: selected, test: spread(once.test), ...(once.train ? { train: spread(once.train) } : {}) };
  }
  const start = upload(model, options.start);
  const end = upload(model, options.end);
  const stemNames = new Set(model.stemTensors);
  const headNames = model.tensors.map((t) => t.name).filter((n) => !linearStem || !stemNames.has(n));
  const hasBn = model.tensors.some((t) => t.name.endsWith('.running_mean'));
  const [h, w, c] = model.inputShape;
  const reluLinear = linearStem && options.reluLinear !== false ? model.reluLinearHead : undefined;
  const interior = xs.filter((x) => x > 0 && x < 1);
  const stemBatch = batchSizeForBudget(model, start, options.stemBudgetFloats ?? defaultStemBudgetFloats);
  // The ReLU-linear path holds its layer's output at every interior point for one batch: keep that near 32 MB too.
  const pathBatch = reluLinear && interior.length > 0 ? Math.max(1, Math.floor(pathBudgetFloats / (interior.length * start[reluLinear.bias].size))) : Infinity;
  const batchSize = options.batchSize ?? Math.min(stemBatch, pathBatch);

  let recomputed: Weights[] | undefined;
  const myBatches = (split: Split) =>
    batchRanges(split.count, batchSize)
      .map((indices, batch) => ({ indices, batch }))
      .filter(({ batch }) => batch % shard.count === shard.index);
  const work = { done: 0, total: 0 };
  const splitWork = (s: Split) => myBatches(s).length * xs.length;
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
  // Each cached θ(x)'s conv+BN pairs folded once, for all batches (see BnContext.folded).
  const folded = new Map<number, Map<string, FoldedConv>>();
  const foldedAt = (k: number): Map<string, FoldedConv> | undefined => {
    if (!cache) return undefined;
    if (!folded.has(k)) folded.set(k, new Map());
    return folded.get(k);
  };
  const clearCache = () => {
    for (const weights of cache?.values() ?? []) disposeWeights(weights);
    cache?.clear();
    for (const pairs of folded.values()) for (const { filter, bias } of pairs.values()) tf.dispose([filter, bias]);
    folded.clear();
  };

  /**
   * Runs `visit` on each of this shard's batches, uploaded once, with the stem's outputs at both ends when the stem is
   * interpolated: f(θ(x)) = f(θ_t) + x·(f(θ_T) − f(θ_t)) then costs two passes per point, and both ends are the exact
   * networks' outputs, not a rounding of them.
   */
  const forEachBatch = async (split: Split, visit: (batch: Batch, input: tf.Tensor4D, ends: [tf.Tensor, tf.Tensor] | undefined) => Promise<void>) => {
    for (const { indices } of myBatches(split)) {
      const batch = await split.batch(indices);
      const input = tf.tensor4d(batch.x, [batch.n, h, w, c]);
      const ends: [tf.Tensor, tf.Tensor] | undefined = linearStem ? [model.stem(start, input), model.stem(end, input)] : undefined;
      await visit(batch, input, ends);
      tf.dispose([input, ...(ends ?? [])]);
    }
  };

  /**
   * Runs `visit` on the head's input for every (batch, point), batches outermost so each batch is uploaded once.
   * With `useReluLinear`, interior points get the ReLU-linear layer's output `z` instead of the stem's.
   */
  const forEachBatchAndPoint = (split: Split, useReluLinear: boolean, visit: (k: number, weights: Weights, input: HeadInput, labels: Int32Array) => Promise<void>) =>
    forEachBatch(split, async (batch, input, ends) => {
      const zs = useReluLinear && reluLinear && ends && interior.length > 0 ? layerAtPoints(reluLinear, ends, interior) : undefined;
      const delta = ends && !zs ? tf.sub(ends[1], ends[0]) : undefined; // the ReLU-linear path takes its own Δ
      for (let k = 0; k < xs.length; k++) {
        const weights = weightsAt(k);
        const x = xs[k];
        const head: HeadInput = tf.tidy(() => {
          if (ends) {
            if (x === 0 || x === 1) return { stemOut: tf.clone(ends[x === 0 ? 0 : 1]) };
            if (zs) return { z: zs.get(x)! };
            return { stemOut: tf.add(ends[0], tf.mul(delta!, x)) };
          }
          return { stemOut: model.stem(pathWeights(model, start, end, x, bnMode, model.stemTensors), input) };
        });
        await visit(k, weights, head, batch.y);
        (head.z ?? head.stemOut)!.dispose();
        releaseAt(weights);
        tick();
      }
      tf.dispose([...(delta ? [delta] : []), ...(zs?.values() ?? [])]);
    });

  try {
    if (bnMode === 'recompute' && hasBn) {
      // Pass 1: at every x, BN running on batch statistics as in training, their average over the training set.
      if (shard.count > 1) throw new ComputeError('bad-sweep-options', 'bn_mode "recompute" averages over every training batch: share its points, not its batches');
      const statistics = new BnStatistics(xs.length);
      await forEachBatchAndPoint(options.train!, false, async (k, weights, input) => {
        const observed: NonNullable<BnContext['observed']> = new Map();
        tf.tidy(() => {
          model.head(weights, input.stemOut!, { training: true, noGradient: true, observed });
        });
        statistics.add(k, observed);
      });
      recomputed = statistics.finish();
      clearCache(); // cached θ(x) were built without the recomputed statistics
    }

    const evaluateSplit = async (split: Split): Promise<SplitScores> => {
      const batches: BatchScores[] = myBatches(split).map(({ batch }) => ({ batch, lossSums: xs.map(() => 0), correct: xs.map(() => 0) }));
      if (linearStem && options.stackPoints && model.pointStackedHead) {
        let at = 0;
        await forEachBatch(split, async (batch, _input, ends) => {
          const scores = await scoreStackedPoints(model, start, end, ends!, xs, batch.y, stackSize(batch.n, ends![0].size / batch.n, xs.length));
          const slot = batches[at++];
          scores.forEach((score, k) => {
            slot.lossSums[k] = score.lossSum;
            slot.correct[k] = score.correct;
            tick();
          });
        });
        return { count: split.count, batches };
      }
      let at = -1;
      // Scores are read back without waiting: a GPU then computes the next points while earlier logits travel to the
      // host, instead of stalling once per (batch, point). Each score lands in its own slot, so the sums are unchanged.
      const pending: Promise<void>[] = [];
      await forEachBatchAndPoint(split, true, async (k, weights, input, labels) => {
        if (k === 0) at++;
        const eval_: BnContext = { training: false, folded: foldedAt(k) };
        const logits = tf.tidy(() => (input.z ? reluLinear!.rest(weights, input.z, eval_) : model.head(weights, input.stemOut!, eval_)));
        const slot = batches[at];
        const scored = scoreBatch(logits, labels, model.classes)
          .then((score) => {
            slot.lossSums[k] = score.lossSum;
            slot.correct[k] = score.correct;
          })
          .finally(() => logits.dispose());
        scored.catch(() => {}); // seen by Promise.all below; this only keeps Node from calling it unhandled meanwhile
        pending.push(scored);
        // Bounded: at most one batch's logits at every point wait on the host at a time.
        if (k === xs.length - 1) await Promise.all(pending.splice(0));
      });
      await Promise.all(pending);
      return { count: split.count, batches };
    };

    const test = await evaluateSplit(options.test);
    const train = options.trainLoss ? await evaluateSplit(options.train!) : undefined;
    return { points, indices: selected, test, ...(train ? { train } : {}) };
  } finally {
    clearCache();
    for (const stats of recomputed ?? []) disposeWeights(stats);
    disposeWeights(start);
    disposeWeights(end);
  }

  /** The ReLU-linear layer's output [n, out] at every interior point, from the stem outputs at the two ends. */
  function layerAtPoints(layer: ReluLinearHead, [a, b]: tf.Tensor[], at: number[]): Map<number, tf.Tensor2D> {
    const values = reluLinearAtPoints(
      {
        start: a as tf.Tensor2D,
        end: b as tf.Tensor2D,
        weightStart: start[layer.weight] as tf.Tensor2D,
        weightEnd: end[layer.weight] as tf.Tensor2D,
        biasStart: start[layer.bias] as tf.Tensor1D,
        biasEnd: end[layer.bias] as tf.Tensor1D,
      },
      at,
    );
    // `values` is the kernel's memory, which the next call (maybe another sweep in this thread) overwrites: copy it
    // into tensors now, before anything awaits.
    const [n] = a.shape;
    const size = values.length / at.length;
    return new Map(at.map((x, k) => [x, tf.tensor2d(values.subarray(k * size, (k + 1) * size), [n, size / n])]));
  }
}

/** What the head starts from at one point: the stem's output, or (ReLU-linear path) the layer after it. */
interface HeadInput {
  stemOut?: tf.Tensor;
  z?: tf.Tensor2D;
}
