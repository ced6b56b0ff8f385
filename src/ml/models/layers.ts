// Building blocks shared by the models, written to avoid wasm's slow paths (no transpose flags, no tile in BN gradients).
import * as tf from '@tensorflow/tfjs';
import { batchNormTrain, hasBatchNormKernels, normaliseOnKernels } from './batch-norm-train.js';
import type { BnContext, FoldedConv, TensorSpec, Weights } from './spec.js';

export const bnEpsilon = 1e-5; // PyTorch's default

export function linearSpecs(name: string, inFeatures: number, outFeatures: number): TensorSpec[] {
  return [
    { name: `${name}.weight`, shape: [inFeatures, outFeatures], layout: 'linear', trainable: true, init: { kind: 'kaiming-normal', fanIn: inFeatures } },
    { name: `${name}.bias`, shape: [outFeatures], layout: 'vector', trainable: true, init: { kind: 'bias-uniform', fanIn: inFeatures } },
  ];
}

export function convSpecs(name: string, inChannels: number, outChannels: number, kernel: number, bias: boolean): TensorSpec[] {
  const fanIn = inChannels * kernel * kernel;
  const specs: TensorSpec[] = [{ name: `${name}.weight`, shape: [kernel, kernel, inChannels, outChannels], layout: 'conv', trainable: true, init: { kind: 'kaiming-normal', fanIn } }];
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

/** x·W + b, then ReLU: one fused kernel for inference (its gradient would use slow transpose flags, so not in training). */
export function linearRelu(w: Weights, name: string, x: tf.Tensor, bn: BnContext): tf.Tensor2D {
  if (bn.training) return tf.relu(linear(w, name, x));
  return tf.fused.matMul({ a: x as tf.Tensor2D, b: w[`${name}.weight`] as tf.Tensor2D, bias: w[`${name}.bias`], activation: 'relu' }) as tf.Tensor2D;
}

/** PyTorch-style convolution: symmetric zero padding of `padding` on each side. */
export function conv(w: Weights, name: string, x: tf.Tensor, stride: number, padding: number): tf.Tensor4D {
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [padding, padding],
    [padding, padding],
    [0, 0],
  ];
  const out = tf.conv2d(x as tf.Tensor4D, w[`${name}.weight`] as tf.Tensor4D, stride, padding === 0 ? 'valid' : pad);
  const bias = w[`${name}.bias`];
  return (bias ? tf.add(out, bias) : out) as tf.Tensor4D;
}

/**
 * BatchNorm over N, H, W. In training mode the statistics come from the batch and are reported in bn.observed.
 */
export function batchNorm(w: Weights, name: string, x: tf.Tensor, bn: BnContext, relu = false): tf.Tensor {
  const gamma = w[`${name}.weight`];
  const beta = w[`${name}.bias`];
  if (!bn.training) {
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(w[`${name}.running_var`], bnEpsilon)));
    const shift = tf.sub(beta, tf.mul(w[`${name}.running_mean`], scale));
    return channelAffine(x, scale, shift, relu);
  }
  const count = x.size / x.shape[x.rank - 1];
  if (bn.noGradient && x.rank === 4) return batchNormOnBatchStatistics(name, x, gamma, beta, bn, relu);
  return batchNormTrain(
    x,
    gamma,
    beta,
    bnEpsilon,
    ({ mean, variance }) => {
      if (bn.observed) bn.observed.set(name, { mean, variance, count });
      else tf.dispose([mean, variance]);
    },
    relu,
  );
}

/**
 * x·scale + shift per channel (then ReLU), for inference. wasm's per-channel broadcasts are slow (~3.5 ns an element);
 * a fused 1×1 depthwise convolution does the same, bias and ReLU included, at close to the cost of reading x once.
 */
export function channelAffine(x: tf.Tensor, scale: tf.Tensor, shift: tf.Tensor, relu: boolean): tf.Tensor {
  const channels = x.shape[x.rank - 1];
  if (x.rank !== 4) {
    const y = tf.add(tf.mul(x, scale), shift);
    return relu ? tf.relu(y) : y;
  }
  const filter = tf.reshape(scale, [1, 1, channels, 1]) as tf.Tensor4D;
  return tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter, strides: 1, pad: 'valid', bias: shift, activation: relu ? 'relu' : 'linear' });
}

/** Average over H and W as one pooling window: on wasm much faster than a mean over axes 1 and 2. */
export function globalAveragePool(x: tf.Tensor): tf.Tensor2D {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  return tf.reshape(tf.avgPool(x as tf.Tensor4D, [h, w], 1, 'valid'), [n, c]);
}

/**
 * conv → BatchNorm (→ ReLU). In eval mode the BN is folded into the convolution (filter scaled per output channel,
 * shift as bias) and the whole thing is one fused kernel; in training mode it is the plain sequence.
 */
/** Training-mode BN for passes that take no gradient: the statistics by matMuls, the normalisation by fused kernels. */
function batchNormOnBatchStatistics(name: string, x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, bn: BnContext, relu: boolean): tf.Tensor {
  const channels = x.shape[3]!;
  const count = x.size / channels;
  if (hasBatchNormKernels()) {
    // The backend's own BN kernels (webgpu): moments and normalisation in three dispatches instead of about ten.
    const { out, mean, variance } = normaliseOnKernels(x, gamma, beta, bnEpsilon, relu);
    if (bn.observed) bn.observed.set(name, { mean: tf.keep(mean()), variance: tf.keep(variance()), count });
    return tf.reshape(out, x.shape);
  }
  // In a tidy: the centred and squared copies (and the packed copy of the latter that wasm's matMul caches) would
  // otherwise live as long as the caller's scope, in a sweep's statistics pass the whole head.
  const [mean, variance] = tf.tidy(() => {
    const average = tf.fill([1, count], 1 / count) as tf.Tensor2D;
    const m = tf.reshape(tf.matMul(average, tf.reshape(x, [count, channels]) as tf.Tensor2D), [channels]) as tf.Tensor1D;
    const centered = channelAffine(x, tf.onesLike(m), tf.neg(m), false);
    return [m, tf.reshape(tf.matMul(average, tf.reshape(tf.square(centered), [count, channels]) as tf.Tensor2D), [channels]) as tf.Tensor1D];
  });
  if (bn.observed) bn.observed.set(name, { mean: tf.keep(mean), variance: tf.keep(variance), count });
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, bnEpsilon)));
  return channelAffine(x, scale, tf.sub(beta, tf.mul(mean, scale)), relu);
}

export function convBatchNorm(w: Weights, convName: string, bnName: string, x: tf.Tensor, stride: number, padding: number, bn: BnContext, relu: boolean): tf.Tensor {
  if (bn.training) {
    const h = conv(w, convName, x, stride, padding);
    // With a gradient BN and ReLU are one op (batchNormTrain); the statistics pass keeps its separate ReLU.
    const fused = relu && !bn.noGradient;
    const y = batchNorm(w, bnName, h, bn, fused);
    // Nothing reads the conv's output after BN (the tape keeps BN's own normalised copy), but the caller's scope would
    // hold it, and the packed copy wasm's matMul caches for BN's column sums, until the whole pass ends.
    h.dispose();
    if (!relu || fused) return y;
    const activated = tf.relu(y);
    y.dispose();
    return activated;
  }
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [padding, padding],
    [padding, padding],
    [0, 0],
  ];
  const cached = bn.folded?.get(convName);
  const { filter, bias } = cached ?? foldBatchNorm(w, convName, bnName);
  const out = tf.fused.conv2d({ x: x as tf.Tensor4D, filter, strides: stride, pad: padding === 0 ? 'valid' : pad, bias, activation: relu ? 'relu' : 'linear' });
  if (bn.folded && !cached) {
    // Kept for the next pass over the same weights (a sweep's next batch): the folding is ~6 small kernels a conv, which
    // on a GPU cost more than the conv itself. The owner of bn.folded disposes them.
    bn.folded.set(convName, { filter: tf.keep(filter), bias: tf.keep(bias) });
  } else if (!cached) {
    // The folded filter, and the packed copy XNNPACK caches per filter tensor, would otherwise live until the caller's
    // scope ends: twice the model's conv weights for every forward pass of a sweep.
    filter.dispose();
  }
  return out;
}

/** The conv's filter scaled per output channel by BN's γ/√(var+ε), and BN's shift (plus the conv's bias) as one bias. */
function foldBatchNorm(w: Weights, convName: string, bnName: string): FoldedConv {
  const scale = tf.mul(w[`${bnName}.weight`], tf.rsqrt(tf.add(w[`${bnName}.running_var`], bnEpsilon)));
  let shift = tf.sub(w[`${bnName}.bias`], tf.mul(w[`${bnName}.running_mean`], scale));
  const convBias = w[`${convName}.bias`];
  if (convBias) shift = tf.add(shift, tf.mul(convBias, scale));
  return { filter: tf.mul(w[`${convName}.weight`], scale) as tf.Tensor4D, bias: shift as tf.Tensor1D };
}

/** Flattens [N, H, W, C] in PyTorch's [N, C, H, W] order, so a following fc.weight matches a PyTorch state dict. */
export function flattenChannelsFirst(x: tf.Tensor): tf.Tensor2D {
  return tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [x.shape[0], -1]);
}

export function flatten(x: tf.Tensor): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0], -1]);
}
