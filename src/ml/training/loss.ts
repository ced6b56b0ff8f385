// Cross-entropy on logits: the mean for training, and per-batch sums (added up in float64 on the host) for evaluation.
import * as tf from '@tensorflow/tfjs';

/**
 * Mean cross-entropy with its gradient written out, (softmax − one-hot)/N: a handful of kernels instead of
 * differentiating logSoftmax op by op (per-op bookkeeping is a visible share of a LeNet step on wasm).
 */
export function meanCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Scalar {
  const oneHot = tf.oneHot(labels, classes);
  const n = logits.shape[0];
  const lossAndGradient = (l: tf.Tensor, save: tf.GradSaveFunc) => {
    save([l, oneHot]); // saved tensors outlive the forward pass's scope
    return {
      value: tf.neg(tf.div(tf.sum(tf.mul(tf.logSoftmax(l), oneHot)), n)),
      // In a tidy: tfjs runs a customGrad's gradFunc outside one, so its intermediates would live to the end of backward.
      gradFunc: (dy: tf.Tensor | tf.Tensor[], [savedLogits, savedOneHot]: tf.Tensor[]) => tf.tidy(() => tf.mul(tf.div(tf.sub(tf.softmax(savedLogits), savedOneHot), n), dy as tf.Tensor)),
    };
  };
  return tf.customGrad(lossAndGradient as unknown as Parameters<typeof tf.customGrad>[0])(logits) as tf.Scalar;
}

export interface BatchScore {
  lossSum: number; // sum of per-example cross-entropies, accumulated in float64
  correct: number; // top-1 hits
}

/**
 * Reads the logits back and scores them on the host: log-sum-exp in float64 (exact to float32 rounding of the logits),
 * ties going to the lowest class as tf.argMax does. A few host operations per example cost less than the half-dozen
 * tfjs kernels of logSoftmax, one-hot and argMax, which a sweep ran once per batch and point.
 */
export async function scoreBatch(logits: tf.Tensor2D, labels: Int32Array, classes: number): Promise<BatchScore> {
  return scoreLogits((await logits.data()) as Float32Array, labels, classes);
}

/** The same scoring of logits already on the host, [labels.length, classes] row-major from `values`. */
export function scoreLogits(values: Float32Array, labels: Int32Array, classes: number): BatchScore {
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = i * classes;
    let best = 0;
    for (let c = 1; c < classes; c++) if (values[row + c] > values[row + best]) best = c;
    const max = values[row + best];
    let sumExp = 0;
    for (let c = 0; c < classes; c++) sumExp += Math.exp(values[row + c] - max);
    lossSum += Math.log(sumExp) + max - values[row + labels[i]];
    if (best === labels[i]) correct++;
  }
  return { lossSum, correct };
}
