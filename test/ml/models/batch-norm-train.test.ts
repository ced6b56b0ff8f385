// The hand-written BatchNorm backward equals automatic differentiation of the textbook formula.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/ml/backend/select.js';
import { batchNormTrain, type BatchStats } from '../../../src/ml/models/batch-norm-train.js';

beforeAll(async () => {
  await selectBackend({ forced: 'wasm' });
});

function textbook(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const axes = [0, 1, 2];
  const mean = tf.mean(x, axes);
  const variance = tf.mean(tf.square(tf.sub(x, mean)), axes);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
}

describe('batchNormTrain', () => {
  it('matches the textbook formula in value, gradients and reported statistics', () => {
    const x = tf.add(tf.mul(tf.randomNormal([4, 5, 3, 6], 0, 1, 'float32', 1), 2), 0.5);
    const gamma = tf.randomUniform([6], 0, 1, 'float32', 2);
    const beta = tf.randomNormal([6], 0, 1, 'float32', 3);
    const weight = tf.randomNormal([4, 5, 3, 6], 0, 1, 'float32', 4); // a non-trivial upstream gradient
    const stats: BatchStats[] = [];
    const ours = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(
        tf.mul(
          batchNormTrain(a, g, b, 1e-5, (s) => stats.push(s)),
          weight,
        ),
      ),
    );
    const reference = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(textbook(a, g, b), weight)));
    const [ga, gg, gb] = ours([x, gamma, beta]);
    const [ra, rg, rb] = reference([x, gamma, beta]);
    const close = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / tf.max(tf.abs(b)).dataSync()[0];
    expect(close(ga, ra)).toBeLessThan(1e-5);
    expect(close(gg, rg)).toBeLessThan(1e-5);
    expect(close(gb, rb)).toBeLessThan(1e-5);
    expect(
      close(
        batchNormTrain(x, gamma, beta, 1e-5, () => {}),
        textbook(x, gamma, beta),
      ),
    ).toBeLessThan(1e-5);
    expect(close(stats[0].mean, tf.mean(x, [0, 1, 2]))).toBeLessThan(1e-6);
    expect(close(stats[0].variance, tf.moments(x, [0, 1, 2]).variance)).toBeLessThan(1e-5);
  });

  it('with relu gives bit-for-bit what a separate tf.relu gives, forward and backward', () => {
    const x = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 5);
    const gamma = tf.randomUniform([6], 0, 1, 'float32', 6);
    const beta = tf.randomNormal([6], 0, 1, 'float32', 7);
    const weight = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 8);
    const fused = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(
        tf.mul(
          batchNormTrain(a, g, b, 1e-5, () => {}, true),
          weight,
        ),
      );
    const separate = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.relu(batchNormTrain(a, g, b, 1e-5, () => {})), weight));
    const ours = tf.valueAndGrads(fused)([x, gamma, beta]);
    const reference = tf.valueAndGrads(separate)([x, gamma, beta]);
    expect(ours.value.dataSync()).toEqual(reference.value.dataSync());
    ours.grads.forEach((g, i) => expect(g.dataSync()).toEqual(reference.grads[i].dataSync()));
  });
});
