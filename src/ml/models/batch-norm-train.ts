// Training-mode BatchNorm with a hand-written backward: channel sums as matMuls with a ones row, which on wasm is ~10× faster
// than reducing over N, H, W (and avoids the tile in tfjs's fused batchNorm gradient).
import * as tf from '@tensorflow/tfjs';

export interface BatchStats {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D; // biased, as used for normalising
}

/** Kernels a backend may register to run training-mode BN in a few dispatches (webgpu: src/ml/kernels/webgpu/batch-norm-train.ts). */
export const batchNormKernelNames = {
  moments: 'LinpathBnMoments',
  normalise: 'LinpathBnNormalise',
  gradientSums: 'LinpathBnGradientSums',
  inputGradient: 'LinpathBnInputGradient',
} as const;

/** Whether the current backend runs BN on its own kernels. */
export function hasBatchNormKernels(): boolean {
  return tf.getKernel(batchNormKernelNames.moments, tf.getBackend()) !== undefined;
}

function runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, number | boolean> = {}): tf.Tensor2D {
  return tf.engine().runKernel(name, inputs as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/** Row `index` of a [2, C] result of the BN kernels ([mean; variance] or [dβ; dγ]) as a [C] tensor. */
function row(t: tf.Tensor2D, index: number): tf.Tensor1D {
  return tf.reshape(tf.slice(t, [index, 0], [1, t.shape[1]]), [t.shape[1]]) as tf.Tensor1D;
}

/**
 * The forward half on the backend's kernels: x flattened to [M, C], its batch moments [mean; biased variance], the
 * normalised (+ReLU) output [M, C], and the moments as [C] tensors for reporting.
 */
export function normaliseOnKernels(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number, relu: boolean) {
  const channels = x.shape[x.rank - 1];
  const flat = tf.reshape(x, [x.size / channels, channels]);
  const moments = runKernel(batchNormKernelNames.moments, { x: flat });
  const out = runKernel(batchNormKernelNames.normalise, { x: flat, moments, gamma, beta }, { epsilon, relu });
  return { flat, moments, out, mean: () => row(moments, 0), variance: () => row(moments, 1) };
}

/** Column sums of a [M, C] matrix as [1, M]·[M, C]. */
function columnSums(ones: tf.Tensor2D, m: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(ones, m);
}

/**
 * y = (x − mean)/√(var + eps)·γ + β over all axes but the last, with the batch statistics handed to `report`
 * (kept: the caller disposes them). Gradients: dβ = Σdy, dγ = Σ dy·x̂, dx = γ/√(var+eps)·(dy − dβ/M − x̂·dγ/M).
 * With `relu`, y is relu(y) and dy is masked by y > 0 first: the same numbers as a separate tf.relu, but the tape keeps
 * the output (which the next conv saves anyway) instead of ReLU's input and ReLU's own input gradient.
 * The backward pass disposes the gradient it receives: do not pass your own dy to tf.grads of a function ending here.
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number, report: (stats: BatchStats) => void, relu = false): tf.Tensor {
  if (hasBatchNormKernels()) return batchNormTrainFused(x, gamma, beta, epsilon, report, relu);
  const channels = x.shape[x.rank - 1];
  const m = x.size / channels;
  const forwardAndBackward = (input: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const flat = tf.reshape(input, [m, channels]) as tf.Tensor2D;
    const ones = tf.fill([1, m], 1 / m) as tf.Tensor2D;
    const mean = columnSums(ones, flat);
    const centered = tf.sub(flat, mean);
    const variance = columnSums(ones, tf.square(centered) as tf.Tensor2D);
    const inverse = tf.rsqrt(tf.add(variance, epsilon));
    const normalised = tf.mul(centered, inverse);
    const affine = tf.reshape(tf.add(tf.mul(normalised, g), b), input.shape);
    const value = relu ? tf.relu(affine) : affine;
    report({ mean: tf.keep(tf.reshape(mean, [channels])) as tf.Tensor1D, variance: tf.keep(tf.reshape(variance, [channels])) as tf.Tensor1D });
    save(relu ? [normalised, inverse, g, value] : [normalised, inverse, g]);
    return {
      value,
      // tfjs runs a customGrad's gradFunc outside any tidy: without this one, the four full-size intermediates of every
      // BN layer's backward stayed alive until the whole backward pass ended (~180 MB an image on ResNet-50).
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xHat, inv, gammaSaved, output] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor, tf.Tensor?];
          // tfjs's own ReLU gradient is dy·step(input); step(relu(input)) is the same mask.
          const dAffine = output ? tf.mul(dy as tf.Tensor, tf.step(output)) : (dy as tf.Tensor);
          const dFlat = tf.reshape(dAffine, [m, channels]) as tf.Tensor2D;
          const sumsOnes = tf.ones([1, m]) as tf.Tensor2D;
          const dBeta = columnSums(sumsOnes, dFlat);
          const dGamma = columnSums(sumsOnes, tf.mul(dFlat, xHat) as tf.Tensor2D);
          const scale = tf.mul(inv, gammaSaved);
          const inner = tf.sub(tf.sub(dFlat, tf.div(dBeta, m)), tf.mul(xHat, tf.div(dGamma, m)));
          const dx = tf.reshape(tf.mul(inner, scale), (dy as tf.Tensor).shape);
          // dy is the tape's accumulated gradient of this op's output: nothing reads it after this gradFunc, but tfjs
          // keeps every such gradient to the end of the backward pass (it disposes them only when accumulating).
          (dy as tf.Tensor).dispose();
          return [dx, tf.reshape(dGamma, [channels]), tf.reshape(dBeta, [channels])];
        }),
    };
  };
  const op = tf.customGrad(forwardAndBackward as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, gamma, beta);
}

/**
 * batchNormTrain through a backend's own kernels (batchNormKernelNames): the same function and gradients, in a few
 * dispatches. x̂ is recomputed from x and the batch moments in the backward pass rather than kept.
 */
function batchNormTrainFused(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number, report: (stats: BatchStats) => void, relu: boolean): tf.Tensor {
  const channels = x.shape[x.rank - 1];
  const m = x.size / channels;
  const forwardAndBackward = (input: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const { flat, moments, out, mean, variance } = normaliseOnKernels(input, g, b, epsilon, relu);
    report({ mean: tf.keep(mean()), variance: tf.keep(variance()) });
    save(relu ? [flat, moments, g, out] : [flat, moments, g]);
    return {
      value: tf.reshape(out, input.shape),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xFlat, savedMoments, gammaSaved, output] = saved;
          const shape = (dy as tf.Tensor).shape;
          const dyFlat = tf.reshape(dy as tf.Tensor, [m, channels]);
          // With ReLU the output masks the gradient (y > 0), as in batchNormTrain.
          const common: Record<string, tf.Tensor> = output ? { dy: dyFlat, x: xFlat, moments: savedMoments, y: output } : { dy: dyFlat, x: xFlat, moments: savedMoments };
          const sums = runKernel(batchNormKernelNames.gradientSums, common, { epsilon });
          const dx = runKernel(batchNormKernelNames.inputGradient, { ...common, gamma: gammaSaved, sums }, { epsilon });
          // As in batchNormTrain: nothing reads the incoming gradient after this.
          (dy as tf.Tensor).dispose();
          return [tf.reshape(dx, shape), row(sums, 1), row(sums, 0)];
        }),
    };
  };
  const op = tf.customGrad(forwardAndBackward as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, gamma, beta);
}
