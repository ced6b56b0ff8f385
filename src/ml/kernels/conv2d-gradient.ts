// Conv2D's gradient as tfjs computes it, but freeing the incoming gradient once the filter gradient is taken.
import * as tf from '@tensorflow/tfjs';

let original: tf.GradConfig | undefined;

/**
 * tfjs keeps every accumulated gradient until the whole backward pass ends, though each is read only by the op that
 * produced the tensor: for a conv net that is one activation-sized tensor per convolution (~400 MB for ResNet-50 at
 * batch 8). tfjs asks for the gradients of a node's inputs in their order, x then filter, and the filter of a trained
 * conv is always asked for, so after the filter gradient nothing reads dy. If the filter is frozen, dy stays as before.
 */
const freeingConv2DGradient: tf.GradConfig = {
  kernelName: 'Conv2D',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const grads = original!.gradFunc(dy, saved, attrs);
    const filter = grads.filter;
    return {
      ...grads,
      filter: () => {
        const result = filter();
        (dy as tf.Tensor).dispose();
        return result;
      },
    };
  },
};

/** Installs the freeing Conv2D gradient (idempotent). */
export function registerConv2DGradient(): void {
  const current = tf.getGradient('Conv2D');
  if (current === freeingConv2DGradient) return;
  original = current;
  tf.registerGradient(freeingConv2DGradient);
}
