// LeNet on a plane: along a grid row (b fixed) the stem's output and the next layer's weights are affine in a, so the
// row is a straight path and relu-linear-path.ts gives that layer's output at all of the row's points from two products.
import * as tf from '@tensorflow/tfjs';
import { reluLinearAtPoints } from '../interpolation/relu-linear-path.js';
import type { ModelDef, ReluLinearHead, Weights } from '../models/spec.js';
import type { PlaneGrid } from './plane-grid.js';

export interface ReluLinearRow {
  model: ModelDef;
  layer: ReluLinearHead;
  /** stem(origin), stem(u), stem(v) for the batch: the stem at (a, b) is their affine combination. */
  stems: readonly [tf.Tensor, tf.Tensor, tf.Tensor];
  grid: PlaneGrid;
  row: number; // index into grid.bs
  first: number; // the point index of the row's first point
  weightsAt(k: number): Weights;
  release(w: Weights): void;
}

/**
 * Calls `visit` with the ReLU-linear layer's output z [n, out] at each point of the row, in order, synchronously: each z
 * is a copy of kernel memory that the next row overwrites, and is disposed once `visit` returns.
 */
export function reluLinearRow(job: ReluLinearRow, visit: (k: number, weights: Weights, z: tf.Tensor2D) => void): void {
  const { as } = job.grid;
  const b = job.grid.bs[job.row];
  const [a0, a1] = [as[0], as[as.length - 1]];
  const [so, su, sv] = job.stems;
  const [start, end] = tf.tidy(() => [a0, a1].map((a) => tf.add(so, tf.add(tf.mul(su, a), tf.mul(sv, b))) as tf.Tensor2D));
  const last = job.first + as.length - 1;
  const startWeights = job.weightsAt(job.first);
  const endWeights = job.weightsAt(last);
  // x along the row: 0 at its first point, 1 at its last, exactly.
  const xs = as.map((a, i) => (i === as.length - 1 ? 1 : (a - a0) / (a1 - a0)));
  const values = reluLinearAtPoints(
    {
      start,
      end,
      weightStart: startWeights[job.layer.weight] as tf.Tensor2D,
      weightEnd: endWeights[job.layer.weight] as tf.Tensor2D,
      biasStart: startWeights[job.layer.bias] as tf.Tensor1D,
      biasEnd: endWeights[job.layer.bias] as tf.Tensor1D,
    },
    xs,
  );
  job.release(startWeights);
  job.release(endWeights);
  const n = start.shape[0];
  const size = values.length / xs.length;
  tf.dispose([start, end]);
  for (let i = 0; i < xs.length; i++) {
    const k = job.first + i;
    const weights = job.weightsAt(k);
    // A view, not a copy: the backend copies it in (wasm), or reads it before the next row overwrites it (cpu: `visit`
    // is synchronous and z is disposed below).
    const z = tf.tensor2d(values.subarray(i * size, (i + 1) * size), [n, size / n]);
    visit(k, weights, z);
    z.dispose();
    job.release(weights);
  }
}
