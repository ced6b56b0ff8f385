// LeNet-300-100: the 784-300-100-10 ReLU MLP of open_lth's mnist_lenet_300_100 (266,610 parameters).
import * as tf from '@tensorflow/tfjs';
import { flatten, linear, linearRelu, linearSpecs } from './layers.js';
import type { ModelDef } from './spec.js';

export function lenet300100(inputShape: readonly [number, number, number] = [28, 28, 1], classes = 10): ModelDef {
  const inputs = inputShape[0] * inputShape[1] * inputShape[2];
  return {
    name: 'lenet_300_100',
    inputShape,
    classes,
    tensors: [...linearSpecs('fc1', inputs, 300), ...linearSpecs('fc2', 300, 100), ...linearSpecs('fc3', 100, classes)],
    stemTensors: ['fc1.weight', 'fc1.bias'],
    stem: (w, x) => linear(w, 'fc1', flatten(x)),
    head: (w, h, bn) => linear(w, 'fc3', linearRelu(w, 'fc2', tf.relu(h), bn)),
    reluLinearHead: { weight: 'fc2.weight', bias: 'fc2.bias', rest: (w, z) => linear(w, 'fc3', tf.relu(z)) },
    // Not fused: wasm's fused matMul takes only a rank-1 bias, and stacked biases are [P, 1, out].
    pointStackedHead: (w, h) => {
      const hidden = tf.relu(tf.add(tf.matMul(tf.relu(h), w['fc2.weight'] as tf.Tensor3D), w['fc2.bias']));
      return tf.add(tf.matMul(hidden as tf.Tensor3D, w['fc3.weight'] as tf.Tensor3D), w['fc3.bias']) as tf.Tensor3D;
    },
  };
}
