// A sweep's points in stacks on a GPU: the head at P points as a few batched dispatches, for models that declare
// ModelDef.pointStackedHead (no BatchNorm in the head). Each dispatch then does P points' work for one's overhead.
import * as tf from '@tensorflow/tfjs';
import type { ModelDef, Weights } from '../models/spec.js';
import { scoreLogits, type BatchScore } from '../training/loss.js';

/** a·(1 − x) + b·x at every x of a stack, on a new leading axis: lerp's arithmetic, so both ends are exact. */
function stackedLerp(a: tf.Tensor, b: tf.Tensor, oneMinus: tf.Tensor1D, at: tf.Tensor1D, shape: number[]): tf.Tensor {
  const factor = (t: tf.Tensor1D) => tf.reshape(t, [-1, ...shape.slice(1).map(() => 1)]);
  return tf.add(tf.mul(tf.reshape(a, shape), factor(oneMinus)), tf.mul(tf.reshape(b, shape), factor(at)));
}

/**
 * Scores one batch at every x of `xs`: `ends` are the stem's outputs at θ_t and θ_T for the batch ([N, F]), so the
 * stem at x is (1 − x)·f(θ_t) + x·f(θ_T), the first layer being linear in its weights. `stack` points share each dispatch; logits come back to
 * the host once per stack. Returns one score per x, in order.
 */
export async function scoreStackedPoints(model: ModelDef, start: Weights, end: Weights, ends: [tf.Tensor, tf.Tensor], xs: readonly number[], labels: Int32Array, stack: number): Promise<BatchScore[]> {
  const head = model.pointStackedHead!;
  const stemNames = new Set(model.stemTensors);
  const names = model.tensors.map((t) => t.name).filter((name) => !stemNames.has(name));
  const n = labels.length;
  const pending: Promise<BatchScore[]>[] = [];
  for (let first = 0; first < xs.length; first += stack) {
    const chunk = xs.slice(first, first + stack);
    const logits = tf.tidy(() => {
      const at = tf.tensor1d(chunk);
      const oneMinus = tf.tensor1d(chunk.map((x) => 1 - x));
      const h = stackedLerp(ends[0], ends[1], oneMinus, at, [1, n, ends[0].size / n]) as tf.Tensor3D;
      const w: Weights = {};
      // Biases become [P, 1, out], so they broadcast over the batch in each point's matMul.
      for (const name of names) w[name] = stackedLerp(start[name], end[name], oneMinus, at, start[name].rank === 1 ? [1, 1, ...start[name].shape] : [1, ...start[name].shape]);
      return head(w, h);
    });
    // Read back without waiting: the next stack is computed meanwhile.
    const scored = logits.data().then((values) => {
      logits.dispose();
      const perPoint = n * model.classes;
      return chunk.map((_, p) => scoreLogits((values as Float32Array).subarray(p * perPoint, (p + 1) * perPoint), labels, model.classes));
    });
    scored.catch(() => {}); // awaited below; this only keeps Node from calling it unhandled meanwhile
    pending.push(scored);
  }
  return (await Promise.all(pending)).flat();
}

/** How many points share a stack: their stem outputs together near `budgetFloats`. */
export function stackSize(batch: number, features: number, points: number, budgetFloats = 32 * 1024 * 1024): number {
  return Math.max(1, Math.min(points, Math.floor(budgetFloats / Math.max(1, batch * features))));
}
