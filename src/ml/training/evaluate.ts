// Full-split mean cross-entropy and accuracy in eval mode, streamed in batches.
import * as tf from '@tensorflow/tfjs';
import { batchSizeForBudget, defaultStemBudgetFloats } from '../models/batch-budget.js';
import type { Split } from '../datasets/dataset.js';
import { forward, type ModelDef, type Weights } from '../models/spec.js';
import { scoreBatch } from './loss.js';

export interface Evaluation {
  loss: number;
  accuracy: number;
}

export function batchRanges(count: number, size: number): number[][] {
  const ranges: number[][] = [];
  for (let start = 0; start < count; start += size) {
    const end = Math.min(count, start + size);
    ranges.push(Array.from({ length: end - start }, (_, i) => start + i));
  }
  return ranges;
}

/**
 * Batches of 1000, or fewer where one batch's stem output would pass 16 MB: at ImageNet's 224×224, 1000
 * images through ResNet-50 need more than the 4 GB a wasm heap can hold.
 */
export async function evaluate(model: ModelDef, w: Weights, split: Split, batchSize = batchSizeForBudget(model, w, defaultStemBudgetFloats, 1000)): Promise<Evaluation> {
  let lossSum = 0;
  let correct = 0;
  const [h, wd, c] = split.shape;
  for (const indices of batchRanges(split.count, batchSize)) {
    const batch = await split.batch(indices);
    const logits = tf.tidy(() => forward(model, w, tf.tensor4d(batch.x, [batch.n, h, wd, c]), { training: false }));
    const score = await scoreBatch(logits, batch.y, model.classes);
    logits.dispose();
    lossSum += score.lossSum;
    correct += score.correct;
  }
  return { loss: lossSum / split.count, accuracy: correct / split.count };
}
