// A small convolutional net with BatchNorm for MNIST, cheap enough for the default pipeline on a laptop CPU.
import * as tf from '@tensorflow/tfjs';
import { batchNorm, batchNormSpecs, conv, convBatchNorm, convSpecs, flattenChannelsFirst, linear, linearSpecs } from './layers.js';
import type { ModelDef } from './spec.js';

/**
 * conv 5×5/2 (16) → BN → ReLU → conv 3×3/2 (16) → BN → ReLU → flatten (PyTorch's C, H, W order) → fc.
 * The first conv is the interpolation stem; the rest is ~0.12 M multiply-adds per 28×28 image. The fc sees the
 * 7×7 map (a global average pool there learned MNIST far worse: 92% test accuracy after 2 epochs).
 */
export function convBn(inputShape: readonly [number, number, number] = [28, 28, 1], classes = 10): ModelDef {
  const channels = inputShape[2];
  return {
    name: 'conv_bn',
    inputShape,
    classes,
    tensors: [
      ...convSpecs('conv1', channels, 16, 5, false),
      ...batchNormSpecs('bn1', 16),
      ...convSpecs('conv2', 16, 16, 3, false),
      ...batchNormSpecs('bn2', 16),
      ...linearSpecs('fc', 16 * Math.ceil(inputShape[0] / 4) * Math.ceil(inputShape[1] / 4), classes),
    ],
    stemTensors: ['conv1.weight'],
    stem: (w, x) => conv(w, 'conv1', x, 2, 2),
    head: (w, h, bn) => {
      const a = batchNorm(w, 'bn1', h, bn, true);
      const b = convBatchNorm(w, 'conv2', 'bn2', a, 2, 1, bn, true);
      return linear(w, 'fc', flattenChannelsFirst(b));
    },
  };
}
