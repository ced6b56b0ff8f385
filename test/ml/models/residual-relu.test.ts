// The fused residual relu(a + b) is bit-for-bit tfjs's add then relu, value and gradients.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/ml/backend/select.js';
import { residualRelu } from '../../../src/ml/models/residual-relu.js';

beforeAll(async () => {
  await selectBackend({ forced: 'wasm' });
});

describe('residualRelu', () => {
  it('matches tf.relu(tf.add(a, b)) exactly when training', () => {
    const a = tf.randomNormal([2, 5, 4, 3], 0, 1, 'float32', 1);
    const b = tf.randomNormal([2, 5, 4, 3], 0, 1, 'float32', 2);
    const weight = tf.randomNormal([2, 5, 4, 3], 0, 1, 'float32', 3);
    const ours = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(residualRelu(x, y, { training: true }), weight)))([a, b]);
    const reference = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.add(x, y)), weight)))([a, b]);
    expect(ours.value.dataSync()).toEqual(reference.value.dataSync());
    ours.grads.forEach((g, i) => expect(g.dataSync()).toEqual(reference.grads[i].dataSync()));
    expect(residualRelu(a, b, { training: false }).dataSync()).toEqual(tf.relu(tf.add(a, b)).dataSync());
  });
});
