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
      gradFunc: (dy: tf.Tensor | tf.Tensor[], [savedLogits, savedOneHot]: tf.Tensor[]) =>
        tf.mul(tf.div(tf.sub(tf.softmax(savedLogits), savedOneHot), n), dy as tf.Tensor),
    };
  };
  return tf.customGrad(lossAndGradient as unknown as Parameters<typeof tf.customGrad>[0])(logits) as tf.Scalar;
}

export interface BatchScore {
  lossSum: number; // sum of per-example cross-entropies, accumulated in float64
  correct: number; // top-1 hits
}

/** Reads per-example losses and predictions back to the host: summing there in float64 keeps the mean exact to float32 rounding. */
export async function scoreBatch(logits: tf.Tensor2D, labels: Int32Array, classes: number): Promise<BatchScore> {
  const [losses, predictions] = tf.tidy(() => {
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
    return [tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), oneHot), 1)), tf.argMax(logits, 1)];
  });
  const [l, p] = await Promise.all([losses.data(), predictions.data()]);
  losses.dispose();
  predictions.dispose();
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    lossSum += l[i];
    if (p[i] === labels[i]) correct++;
  }
  return { lossSum, correct };
}
