// Weights at a point of the straight path θ(x) = (1−x)·θ_t + x·θ_T, with the BatchNorm statistics the sweep's mode asks for.
import * as tf from '@tensorflow/tfjs';
import type { ModelDef, Weights } from '../models/spec.js';

export type BnMode = 'interpolate' | 'recompute' | 'endpoint';
export const bnModes: readonly BnMode[] = ['interpolate', 'recompute', 'endpoint'];

const isRunningStat = (name: string) => name.endsWith('.running_mean') || name.endsWith('.running_var');

export function lerp(a: tf.Tensor, b: tf.Tensor, x: number): tf.Tensor {
  if (x === 0) return tf.clone(a);
  if (x === 1) return tf.clone(b);
  return tf.tidy(() => tf.add(tf.mul(a, 1 - x), tf.mul(b, x))); // called outside any tidy: the products must not outlive it
}

/**
 * θ(x) for the tensors in `names`. Running statistics: `interpolate` lerps them like weights; `endpoint` takes the
 * nearer end's (exact at both ends); `recompute` takes them from `recomputed` (or lerps when absent, e.g. during the
 * recompute pass itself, where BatchNorm runs on batch statistics and never reads them).
 */
export function pathWeights(model: ModelDef, start: Weights, end: Weights, x: number, mode: BnMode, names: readonly string[] = model.tensors.map((t) => t.name), recomputed?: Weights): Weights {
  const w: Weights = {};
  for (const name of names) {
    if (isRunningStat(name) && mode === 'endpoint') w[name] = tf.clone(x < 0.5 ? start[name] : end[name]);
    else if (isRunningStat(name) && mode === 'recompute' && recomputed?.[name]) w[name] = tf.clone(recomputed[name]);
    else w[name] = lerp(start[name], end[name], x);
  }
  return w;
}
