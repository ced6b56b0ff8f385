// The inference shortcuts (BN folded into fused convolutions, diagonal 1×1 affine, pooled global average) compute the textbook network.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/ml/backend/select.js';
import { initialWeights } from '../../../src/ml/models/init.js';
import { buildModel, modelNames } from '../../../src/ml/models/registry.js';
import { forward, type Weights } from '../../../src/ml/models/spec.js';
import { upload } from '../../../src/ml/training/device-weights.js';

beforeAll(async () => {
  await selectBackend({ forced: 'wasm' });
});

const pad = (p: number) =>
  [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ] as [[number, number], [number, number], [number, number], [number, number]];

function bnTextbook(w: Weights, name: string, x: tf.Tensor): tf.Tensor {
  const normalised = tf.div(tf.sub(x, w[`${name}.running_mean`]), tf.sqrt(tf.add(w[`${name}.running_var`], 1e-5)));
  return tf.add(tf.mul(normalised, w[`${name}.weight`]), w[`${name}.bias`]);
}

describe('eval-mode forward', () => {
  it('every model declaring a ReLU-linear head computes head(h) = rest(relu(h)·W + b)', () => {
    const declaring = modelNames.map((name) => buildModel(name, [28, 28, 1], 10)).filter((model) => model.reluLinearHead);
    expect(declaring.map((model) => model.name)).toContain('lenet_300_100');
    for (const model of declaring) {
      const layer = model.reluLinearHead!;
      const w = upload(model, initialWeights(model, 12));
      const x = tf.randomNormal([5, 28, 28, 1], 0, 1, 'float32', 6) as tf.Tensor4D;
      const h = model.stem(w, x);
      const viaHead = model.head(w, h, { training: false });
      const z = tf.add(tf.matMul(tf.relu(h) as tf.Tensor2D, w[layer.weight] as tf.Tensor2D), w[layer.bias]) as tf.Tensor2D;
      const viaRest = layer.rest(w, z, { training: false });
      expect(tf.max(tf.abs(tf.sub(viaHead, viaRest))).dataSync()[0]).toBeLessThan(1e-5 * tf.max(tf.abs(viaHead)).dataSync()[0]);
    }
  });

  it('conv_bn equals conv → BN(running stats) → ReLU → conv → BN → ReLU → flatten (C, H, W) → fc written out plainly', () => {
    const model = buildModel('conv_bn', [28, 28, 1], 10);
    const host = initialWeights(model, 11);
    for (const [name, values] of host) {
      if (name.endsWith('running_mean')) values.forEach((_, i) => (values[i] = 0.2 * Math.sin(3 * i)));
      if (name.endsWith('running_var')) values.forEach((_, i) => (values[i] = 0.5 + Math.cos(i) ** 2));
    }
    const w = upload(model, host);
    const x = tf.randomNormal([6, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const ours = forward(model, w, x, { training: false });
    const a = tf.relu(bnTextbook(w, 'bn1', tf.conv2d(x, w['conv1.weight'] as tf.Tensor4D, 2, pad(2))));
    const b = tf.relu(bnTextbook(w, 'bn2', tf.conv2d(a as tf.Tensor4D, w['conv2.weight'] as tf.Tensor4D, 2, pad(1))));
    // PyTorch flattens [N, C, H, W]: feature index c·49 + y·7 + x.
    const flat = tf.reshape(tf.transpose(b, [0, 3, 1, 2]), [6, 16 * 7 * 7]) as tf.Tensor2D;
    const reference = tf.add(tf.matMul(flat, w['fc.weight'] as tf.Tensor2D), w['fc.bias']);
    const error = tf.max(tf.abs(tf.sub(ours, reference))).dataSync()[0] / tf.max(tf.abs(reference)).dataSync()[0];
    expect(error).toBeLessThan(1e-5);
  });

  it('lenet_300_100: the fused inference path equals the training-mode (plain) path', () => {
    const model = buildModel('lenet_300_100', [28, 28, 1], 10);
    const w = upload(model, initialWeights(model, 4));
    const x = tf.randomNormal([5, 28, 28, 1], 0, 1, 'float32', 6) as tf.Tensor4D;
    const fused = forward(model, w, x, { training: false });
    const plain = forward(model, w, x, { training: true });
    expect(tf.max(tf.abs(tf.sub(fused, plain))).dataSync()[0] / tf.max(tf.abs(plain)).dataSync()[0]).toBeLessThan(1e-6);
  });

  it("resnet_20 in eval mode agrees with itself in training mode when the running statistics are the batch's", () => {
    // With running stats set to this batch's own statistics, eval (folded, fused) and train (plain) paths must agree.
    const model = buildModel('resnet_20', [8, 8, 3], 10);
    const w = upload(model, initialWeights(model, 2));
    const x = tf.randomNormal([64, 8, 8, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const observed = new Map();
    const train = forward(model, w, x, { training: true, observed });
    // Statistics of deeper layers depend on earlier ones; with every layer given its batch statistics the outputs coincide.
    for (const [layer, s] of observed) {
      w[`${layer}.running_mean`] = s.mean;
      w[`${layer}.running_var`] = s.variance;
    }
    const evaluated = forward(model, w, x, { training: false });
    const error = tf.max(tf.abs(tf.sub(evaluated, train))).dataSync()[0] / tf.max(tf.abs(train)).dataSync()[0];
    expect(error).toBeLessThan(1e-4);
  });
});
