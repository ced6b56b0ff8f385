// Test loss and error on a grid over a plane θ(a, b) = origin + a·u + b·v: the stem from three passes, the rest per point.
import * as tf from '@tensorflow/tfjs';
import type { Split } from '../datasets/dataset.js';
import { batchSizeForBudget, defaultStemBudgetFloats } from '../models/batch-budget.js';
import type { BnContext, FoldedConv, ModelDef, Weights } from '../models/spec.js';
import { forward } from '../models/spec.js';
import { disposeWeights, upload } from '../training/device-weights.js';
import { batchRanges } from '../training/evaluate.js';
import { scoreBatch } from '../training/loss.js';
import { reluLinearRow } from './relu-linear-rows.js';
import { PlaneError } from './plane-error.js';
import type { PlaneGrid } from './plane-grid.js';
import { isRunningVariance, type Plane } from './plane.js';

export interface PlanePoint {
  a: number;
  b: number;
  test_loss: number;
  /** 1 − top-1 accuracy. */
  test_error: number;
}

export interface PlaneEvaluationOptions {
  model: ModelDef;
  plane: Plane;
  grid: PlaneGrid;
  /** Points off the grid to evaluate as well (the anchors): no ReLU-linear rows, the rest as the grid's. */
  extra?: ReadonlyArray<{ a: number; b: number }>;
  test: Split;
  /**
   * `linear-stem` (default): the stem is linear in its tensors, so stem(θ(a, b)) = stem(origin) + a·stem(u) + b·stem(v),
   * three passes per batch for every point; with a ReLU-linear head (LeNet) each grid row's next layer comes from
   * relu-linear-path.ts. `naive`: θ(a, b) built and the whole network run at every point — the reference.
   */
  method?: 'linear-stem' | 'naive';
  /** Use ModelDef.reluLinearHead along the grid's rows when the model has one (default true; it pays on a CPU). */
  reluLinear?: boolean;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface PlaneScores {
  /** Row-major: b = grid.bs[j] outer, a = grid.as[i] inner, so row j is grid[j·as.length … (j+1)·as.length). */
  grid: PlanePoint[];
  extra: PlanePoint[];
}

const cacheBudgetFloats = 64 * 1024 * 1024;
const pathBudgetFloats = 8 * 1024 * 1024;

export async function evaluatePlane(options: PlaneEvaluationOptions): Promise<PlaneScores> {
  const { model, plane, grid, test } = options;
  const naive = options.method === 'naive';
  if (grid.as.length < 2 || grid.bs.length < 1) throw new PlaneError('bad-plane-options', 'a grid needs at least 2 values of a and 1 of b');
  for (const axis of [grid.as, grid.bs]) {
    for (let k = 1; k < axis.length; k++) if (!(axis[k] > axis[k - 1])) throw new PlaneError('bad-plane-options', `grid coordinates must ascend, got ${axis[k - 1]} then ${axis[k]}`);
  }
  const points = [...grid.bs.flatMap((b) => grid.as.map((a) => ({ a, b }))), ...(options.extra ?? [])];
  const gridCount = grid.as.length * grid.bs.length;
  const origin = upload(model, plane.origin);
  const u = upload(model, plane.u);
  const v = upload(model, plane.v);
  const stemNames = new Set(model.stemTensors);
  const names = model.tensors.map((t) => t.name).filter((name) => naive || !stemNames.has(name));
  const reluLinear = !naive && options.reluLinear !== false ? model.reluLinearHead : undefined;

  const stemBatch = batchSizeForBudget(model, origin, defaultStemBudgetFloats);
  // A ReLU-linear row holds its layer's output at every point of the row for one batch: keep that near 32 MB.
  const pathBatch = reluLinear ? Math.max(1, Math.floor(pathBudgetFloats / (grid.as.length * origin[reluLinear.bias].size))) : Infinity;
  const batchSize = options.batchSize ?? Math.min(stemBatch, pathBatch);
  const batches = batchRanges(test.count, batchSize);

  // θ(a, b) of the tensors the per-point work reads, kept for all batches when they fit, else rebuilt per batch.
  const perPoint = model.tensors.filter((t) => names.includes(t.name)).reduce((s, t) => s + t.shape.reduce((x, y) => x * y, 1), 0);
  const cache = perPoint * points.length <= cacheBudgetFloats ? new Map<number, Weights>() : undefined;
  const folded = new Map<number, Map<string, FoldedConv>>();
  const weightsAt = (k: number): Weights => {
    const cached = cache?.get(k);
    if (cached) return cached;
    const { a, b } = points[k];
    const w: Weights = {};
    for (const name of names) {
      w[name] = tf.tidy(() => {
        const at = tf.add(origin[name], tf.add(tf.mul(u[name], a), tf.mul(v[name], b)));
        return isRunningVariance(name) ? tf.relu(at) : at;
      });
    }
    cache?.set(k, w);
    return w;
  };
  const release = (w: Weights) => {
    if (!cache) disposeWeights(w);
  };
  const evalContext = (k: number): BnContext => {
    if (!cache) return { training: false };
    if (!folded.has(k)) folded.set(k, new Map());
    return { training: false, folded: folded.get(k) };
  };

  const lossSums = new Float64Array(points.length);
  const correct = new Float64Array(points.length);
  const work = { done: 0, total: batches.length * points.length };
  const [h, w, c] = model.inputShape;
  try {
    for (const indices of batches) {
      const batch = await test.batch(indices);
      const input = tf.tensor4d(batch.x, [batch.n, h, w, c]);
      const stems = naive ? undefined : (tf.tidy(() => [model.stem(origin, input), model.stem(u, input), model.stem(v, input)]) as [tf.Tensor, tf.Tensor, tf.Tensor]);
      const pending: Promise<void>[] = [];
      const score = (k: number, logits: tf.Tensor2D) => {
        pending.push(
          scoreBatch(logits, batch.y, model.classes)
            .then((s) => {
              lossSums[k] += s.lossSum;
              correct[k] += s.correct;
            })
            .finally(() => logits.dispose()),
        );
        options.onProgress?.(++work.done, work.total);
      };
      // stem(origin) + b·stem(v) once per grid row, so each point adds only a·stem(u).
      let row: { b: number; base: tf.Tensor } | undefined;
      const stemAt = (k: number): tf.Tensor => {
        const { a, b } = points[k];
        if (k >= gridCount) return tf.add(stems![0], tf.add(tf.mul(stems![1], a), tf.mul(stems![2], b)));
        if (row?.b !== b) {
          row?.base.dispose();
          row = { b, base: tf.keep(tf.tidy(() => tf.add(stems![0], tf.mul(stems![2], b)))) }; // kept: stemAt runs inside the caller's tidy
        }
        return tf.add(row.base, tf.mul(stems![1], a));
      };
      for (let k = 0; k < points.length; k++) {
        if (reluLinear && k < gridCount) {
          if (k % grid.as.length !== 0) continue; // done with its row
          const row = k / grid.as.length;
          reluLinearRow({ model, layer: reluLinear, stems: stems!, grid, row, first: k, weightsAt, release }, (at, weights, z) =>
            score(
              at,
              tf.tidy(() => reluLinear.rest(weights, z, evalContext(at))),
            ),
          );
          continue;
        }
        const weights = weightsAt(k);
        const logits = tf.tidy(() => (naive ? forward(model, weights, input, { training: false }) : model.head(weights, stemAt(k), evalContext(k))));
        release(weights);
        score(k, logits);
      }
      await Promise.all(pending);
      tf.dispose([input, ...(stems ?? []), ...(row ? [row.base] : [])]);
    }
  } finally {
    for (const weights of cache?.values() ?? []) disposeWeights(weights);
    for (const pairs of folded.values()) for (const { filter, bias } of pairs.values()) tf.dispose([filter, bias]);
    disposeWeights(origin);
    disposeWeights(u);
    disposeWeights(v);
  }
  const scored = points.map(({ a, b }, k) => ({ a, b, test_loss: lossSums[k] / test.count, test_error: 1 - correct[k] / test.count }));
  return { grid: scored.slice(0, gridCount), extra: scored.slice(gridCount) };
}
