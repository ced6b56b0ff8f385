// Gradient of a plain 2-D matMul with explicit transposes: on wasm, matMul with transpose flags is ~10× slower.
import * as tf from '@tensorflow/tfjs';

let original: tf.GradConfig | undefined;

const explicitTransposeGradient: tf.GradConfig = {
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved;
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    if (a.rank !== 2 || b.rank !== 2 || transposeA || transposeB) return original!.gradFunc(dy, saved, attrs);
    const g = dy as tf.Tensor2D;
    // Lazy: tfjs only calls the ones on the path to a tracked tensor (no input gradient for the first layer).
    return {
      a: () => tf.matMul(g, tf.transpose(b as tf.Tensor2D)),
      b: () => tf.matMul(tf.transpose(a as tf.Tensor2D), g),
    };
  },
};

/** Installs the explicit-transpose gradient (idempotent); other matMul forms keep tfjs's own. */
export function registerMatMulGradient(): void {
  const current = tf.getGradient('BatchMatMul');
  if (current === explicitTransposeGradient) return;
  original = current;
  tf.registerGradient(explicitTransposeGradient);
}
