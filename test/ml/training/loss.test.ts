// Cross-entropy: the hand-written gradient equals automatic differentiation of −mean(log softmax · one-hot).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/ml/backend/select.js';
import { meanCrossEntropy, scoreBatch } from '../../../src/ml/training/loss.js';

beforeAll(async () => {
  await selectBackend({ forced: 'wasm' });
});

describe('meanCrossEntropy', () => {
  it('matches the textbook value and gradient', () => {
    const logits = tf.mul(tf.randomNormal([7, 5], 0, 1, 'float32', 3), 4) as tf.Tensor2D;
    const labels = tf.tensor1d([0, 4, 2, 2, 1, 3, 0], 'int32');
    const textbook = (l: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(l as tf.Tensor2D), tf.oneHot(labels, 5)), 1)));
    const [ours] = tf.grads((l: tf.Tensor) => tf.mul(meanCrossEntropy(l as tf.Tensor2D, labels, 5), 3))([logits]);
    const [reference] = tf.grads((l: tf.Tensor) => tf.mul(textbook(l), 3))([logits]);
    expect(tf.max(tf.abs(tf.sub(ours, reference))).dataSync()[0]).toBeLessThan(1e-6);
    expect(meanCrossEntropy(logits, labels, 5).dataSync()[0]).toBeCloseTo(textbook(logits).dataSync()[0], 6);
  });

  it('scores a batch: loss summed per example and top-1 hits', async () => {
    const logits = tf.tensor2d([
      [2, 0, 0],
      [0, 0, 5],
      [1, 1, 3],
    ]);
    const score = await scoreBatch(logits, Int32Array.from([0, 1, 2]), 3);
    const expected = [0, 1, 2].reduce((sum, i) => sum - Math.log(tf.softmax(logits).arraySync()[i][[0, 1, 2][i]]), 0);
    expect(score.lossSum).toBeCloseTo(expected, 5);
    expect(score.correct).toBe(2);
  });

  it('scores like logSoftmax and argMax on large random logits, ties to the lowest class', async () => {
    const logits = tf.mul(tf.randomNormal([300, 10], 0, 1, 'float32', 4), 30) as tf.Tensor2D;
    const labels = Int32Array.from({ length: 300 }, (_, i) => (i * 7) % 10);
    const score = await scoreBatch(logits, labels, 10);
    const logProbabilities = tf.logSoftmax(logits).arraySync();
    const predictions = tf.argMax(logits, 1).arraySync() as number[];
    const expected = labels.reduce((sum, label, i) => sum - logProbabilities[i][label], 0);
    expect(Math.abs(score.lossSum - expected) / expected).toBeLessThan(1e-6);
    expect(score.correct).toBe(predictions.filter((p, i) => p === labels[i]).length);
    const tie = await scoreBatch(tf.tensor2d([[1, 3, 3]]), Int32Array.from([1]), 3);
    expect(tie.correct).toBe(1);
  });
});
