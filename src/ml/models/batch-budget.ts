// How many examples fit in one batch when the stem's output for the batch must stay near a float budget.
import * as tf from '@tensorflow/tfjs';
import type { ModelDef, Weights } from './spec.js';

/** 4 M floats (16 MB): the layers after the stem make several tensors of that size at once. */
export const defaultStemBudgetFloats = 4 * 1024 * 1024;

export function batchSizeForBudget(model: ModelDef, w: Weights, budgetFloats = defaultStemBudgetFloats, cap = 10_000): number {
  const [h, wd, c] = model.inputShape;
  const perExample = tf.tidy(() => model.stem(w, tf.zeros([1, h, wd, c])).size);
  return Math.max(1, Math.min(cap, Math.floor(budgetFloats / perExample)));
}
