// relu(a + b) closing a residual block, as one op for training: the tape keeps only its output, not the sum's inputs.
import * as tf from '@tensorflow/tfjs';
import type { BnContext } from './spec.js';

/**
 * tfjs's add saves both inputs (only to learn their shapes) and relu saves the sum: three block-sized tensors per
 * block held until the backward pass ends. This saves the output, which the next block's convolutions save anyway.
 * The gradient is tfjs's own, dy·step(sum) for both inputs (step(relu(s)) = step(s)), so the numbers do not change.
 * The backward pass disposes the gradient it receives: do not pass your own dy to tf.grads of a function ending here.
 */
export function residualRelu(a: tf.Tensor, b: tf.Tensor, bn: BnContext): tf.Tensor {
  if (!bn.training || bn.noGradient || !tf.util.arraysEqual(a.shape, b.shape)) return tf.tidy(() => tf.relu(tf.add(a, b)));
  const op = tf.customGrad(((x: tf.Tensor, y: tf.Tensor, save: tf.GradSaveFunc) => {
    const value = tf.relu(tf.add(x, y));
    save([value]);
    return {
      value,
      // tfjs runs a customGrad's gradFunc outside any tidy; the step mask would otherwise live to the end of backward.
      gradFunc: (dy: tf.Tensor | tf.Tensor[], [output]: tf.Tensor[]) =>
        tf.tidy(() => {
          const g = tf.mul(dy as tf.Tensor, tf.step(output));
          // Nothing reads the incoming gradient after this, but tfjs would keep it to the end of the backward pass.
          (dy as tf.Tensor).dispose();
          // Two tensor objects on one buffer, as tfjs's add gradient hands out (tfjs disposes accumulated gradients).
          return [g, tf.reshape(g, y.shape)];
        }),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(a, b);
}
