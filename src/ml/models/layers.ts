// Building blocks shared by the models, written to avoid wasm's slow paths (no transpose flags, no tile in BN gradients).
import * as tf from '@tensorflow/tfjs';
import { batchNormTrain } from './batch-norm-train.js';
import type { BnContext, TensorSpec, Weights } from './spec.js';

export const bnEpsilon = 1e-5; // PyTorch's default

export function linearSpecs(name: string, inFeatures: number, outFeatures: number): TensorSpec[] {
  return [
    { name: `${name}.weight`, shape: [inFeatures, outFeatures], layout: 'linear', trainable: true, init: { kind: 'kaiming-normal', fanIn: inFeatures } },
    { name: `${name}.bias`, shape: [outFeatures], layout: 'vector', trainable: true, init: { kind: 'bias-uniform', fanIn: inFeatures } },
  ];
}

export function convSpecs(name: string, inChannels: number, outChannels: number, kernel: number, bias: boolean): TensorSpec[] {
  const fanIn = inChannels * kernel * kernel;
  const specs: TensorSpec[] = [
    { name: `${name}.weight`, shape: [kernel, kernel, inChannels, outChannels], layout: 'conv', trainable: true, init: { kind: 'kaiming-normal', fanIn } },
  ];
  if (bias) specs.push({ name: `${name}.bias`, shape: [outChannels], layout: 'vector', trainable: true, init: { kind: 'bias-uniform', fanIn } });
  return specs;
}

export function batchNormSpecs(name: string, channels: number): TensorSpec[] {
  return [
    { name: `${name}.weight`, shape: [channels], layout: 'vector', trainable: true, init: { kind: 'uniform01' } },
    { name: `${name}.bias`, shape: [channels], layout: 'vector', trainable: true, init: { kind: 'constant', value: 0 } },
    { name: `${name}.running_mean`, shape: [channels], layout: 'vector', trainable: false, init: { kind: 'constant', value: 0 } },
    { name: `${name}.running_var`, shape: [channels], layout: 'vector', trainable: false, init: { kind: 'constant', value: 1 } },
  ];
}

export function linear(w: Weights, name: string, x: tf.Tensor): tf.Tensor2D {
  const out = tf.matMul(x as tf.Tensor2D, w[`${name}.weight`] as tf.Tensor2D);
  const bias = w[`${name}.bias`];
  return (bias ? tf.add(out, bias) : out) as tf.Tensor2D;
}

/** PyTorch-style convolution: symmetric zero padding of `padding` on each side. */
export function conv(w: Weights, name: string, x: tf.Tensor, stride: number, padding: number): tf.Tensor4D {
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [padding, padding], [padding, padding], [0, 0]];
  const out = tf.conv2d(x as tf.Tensor4D, w[`${name}.weight`] as tf.Tensor4D, stride, padding === 0 ? 'valid' : pad);
  const bias = w[`${name}.bias`];
  return (bias ? tf.add(out, bias) : out) as tf.Tensor4D;
}

/**
 * BatchNorm over N, H, W. In training mode the statistics come from the batch and are reported in bn.observed.
 */
export function batchNorm(w: Weights, name: string, x: tf.Tensor, bn: BnContext): tf.Tensor {
  const gamma = w[`${name}.weight`];
  const beta = w[`${name}.bias`];
  if (!bn.training) {
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(w[`${name}.running_var`], bnEpsilon)));
    const shift = tf.sub(beta, tf.mul(w[`${name}.running_mean`], scale));
    return tf.add(tf.mul(x, scale), shift);
  }
  const count = x.size / x.shape[x.rank - 1];
  return batchNormTrain(x, gamma, beta, bnEpsilon, ({ mean, variance }) => {
    if (bn.observed) bn.observed.set(name, { mean, variance, count });
    else tf.dispose([mean, variance]);
  });
}

export function globalAveragePool(x: tf.Tensor): tf.Tensor2D {
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}

export function flatten(x: tf.Tensor): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0], -1]);
}
