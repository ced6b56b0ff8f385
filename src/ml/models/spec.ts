// What a model is to the rest of the code: named tensors (PyTorch names) plus a forward split into the linear stem and the rest.
import type * as tf from '@tensorflow/tfjs';

/**
 * How a tensor is laid out inside tfjs versus in a PyTorch state dict:
 * linear: tfjs [in, out], PyTorch [out, in]; conv: tfjs [kh, kw, in, out], PyTorch [out, in, kh, kw].
 */
export type Layout = 'linear' | 'conv' | 'vector';

export type Init = { kind: 'kaiming-normal'; fanIn: number } | { kind: 'bias-uniform'; fanIn: number } | { kind: 'uniform01' } | { kind: 'constant'; value: number };

export interface TensorSpec {
  name: string; // PyTorch state-dict name, e.g. "fc1.weight", "bn1.running_mean"
  shape: number[]; // tfjs layout
  layout: Layout;
  trainable: boolean; // false for BatchNorm running statistics
  init: Init;
}

export type Weights = Record<string, tf.Tensor>;

/** BatchNorm behaviour for one forward pass. */
export interface BnContext {
  training: boolean; // true: normalise with batch statistics; false: with the running ones in the weights
  /** With training: no gradient will be taken (BN statistics passes), so fast inference kernels may be used. */
  noGradient?: boolean;
  /** Filled in training mode: each BN layer's batch mean and biased variance, by layer name (e.g. "bn1"). */
  observed?: Map<string, { mean: tf.Tensor1D; variance: tf.Tensor1D; count: number }>;
  /**
   * Eval mode: where conv+BN pairs keep their folded filter and bias between passes over the same weights (a sweep's
   * batches at one point), by conv name. Whoever passes it owns the tensors in it and disposes them with the weights.
   */
  folded?: Map<string, FoldedConv>;
}

/** A conv with its eval-mode BatchNorm folded in: one fused conv kernel with this filter and bias. */
export interface FoldedConv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

export interface ModelDef {
  name: string;
  inputShape: readonly [number, number, number]; // [H, W, C]
  classes: number;
  tensors: TensorSpec[];
  /** Names of the tensors the stem reads: the stem's output is linear (affine) in exactly these. */
  stemTensors: string[];
  /** The first layer's pre-activation: linear in the stem tensors, so it can be interpolated. */
  stem(w: Weights, x: tf.Tensor4D): tf.Tensor;
  /** Everything after the stem, up to the logits [N, classes]. */
  head(w: Weights, stemOut: tf.Tensor, bn: BnContext): tf.Tensor2D;
  /**
   * Set when the head begins ReLU → linear layer, i.e. head(w, h) = rest(w, relu(h)·W + b): the sweep then gets that
   * layer's output at every x from two matrix products (interpolation/relu-linear-path.ts) instead of one per x.
   */
  reluLinearHead?: ReluLinearHead;
  /**
   * Set by models whose head has no BatchNorm (MLPs): the head at P points at once, each head tensor of `w` stacked
   * along a leading P axis (biases [P, 1, out]) and `h` the stem's output [P, N, features]; logits [P, N, classes].
   * A GPU then runs a few batched dispatches for P points instead of a few for each (interpolation/stacked-points.ts).
   */
  pointStackedHead?(w: Weights, h: tf.Tensor3D): tf.Tensor3D;
}

export interface ReluLinearHead {
  weight: string; // [in, out]
  bias: string; // [out]
  /** The head after the layer, from its pre-activation output [N, out] to the logits. */
  rest(w: Weights, z: tf.Tensor2D, bn: BnContext): tf.Tensor2D;
}

export function forward(model: ModelDef, w: Weights, x: tf.Tensor4D, bn: BnContext): tf.Tensor2D {
  return model.head(w, model.stem(w, x), bn);
}

export function parameterCount(model: ModelDef): number {
  return model.tensors.filter((t) => t.trainable).reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
}
