// LeNet MLPs as open_lth's mnist_lenet_A_B_…: inputs → A → B → … → classes, ReLU between; LeNet-300-100 has 266,610 parameters.
import * as tf from '@tensorflow/tfjs';
import { flatten, linear, linearRelu, linearSpecs } from './layers.js';
import type { ModelDef, Weights } from './spec.js';

export function lenet(hidden: readonly number[], inputShape: readonly [number, number, number] = [28, 28, 1], classes = 10, name = `lenet_${hidden.join('_')}`): ModelDef {
  if (hidden.length === 0) throw new Error('a LeNet needs at least one hidden layer');
  const inputs = inputShape[0] * inputShape[1] * inputShape[2];
  const widths = [inputs, ...hidden, classes];
  // fc1 … fc{K+1}, PyTorch-style names; fc1 is the stem, the last is the classifier.
  const layers = widths.slice(1).map((_, i) => `fc${i + 1}`);
  const last = layers.length - 1;
  /** Layers from index `from` on, each fed the ReLU of the previous output (`x` is a pre-activation). */
  const rest = (w: Weights, x: tf.Tensor, from: number): tf.Tensor2D => {
    let out = x;
    for (let i = from; i <= last; i++) out = linear(w, layers[i], tf.relu(out));
    return out as tf.Tensor2D;
  };
  return {
    name,
    inputShape,
    classes,
    tensors: layers.flatMap((layer, i) => linearSpecs(layer, widths[i], widths[i + 1])),
    stemTensors: ['fc1.weight', 'fc1.bias'],
    stem: (w, x) => linear(w, 'fc1', flatten(x)),
    head: (w, h, bn) => {
      let x: tf.Tensor = tf.relu(h);
      for (let i = 1; i < last; i++) x = linearRelu(w, layers[i], x, bn);
      return linear(w, layers[last], x);
    },
    reluLinearHead: { weight: 'fc2.weight', bias: 'fc2.bias', rest: (w, z) => rest(w, z, 2) },
    // Not fused: wasm's fused matMul takes only a rank-1 bias, and stacked biases are [P, 1, out].
    pointStackedHead: (w, h) => {
      let x: tf.Tensor = h;
      for (let i = 1; i <= last; i++) x = tf.add(tf.matMul(tf.relu(x) as tf.Tensor3D, w[`${layers[i]}.weight`] as tf.Tensor3D), w[`${layers[i]}.bias`]);
      return x as tf.Tensor3D;
    },
  };
}
