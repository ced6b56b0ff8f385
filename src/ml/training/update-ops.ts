// The optimizer's elementwise updates: one fused kernel each where the backend registered one (webgpu), else tfjs ops in the same order.
import * as tf from '@tensorflow/tfjs';

export const sgdUpdateKernelNames = {
  direction: 'LinpathSgdDirection',
  apply: 'LinpathSgdApply',
  movingAverage: 'LinpathMovingAverage',
} as const;

function fused(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** The step direction: g + wd·w (coupled L2, when wd > 0), then with momentum m·v + that (the new momentum buffer). */
export function sgdDirection(g: tf.Tensor, w: tf.Tensor, v: tf.Tensor | undefined, momentum: number, weightDecay: number): tf.Tensor {
  if (weightDecay === 0 && v === undefined) return g;
  if (fused(sgdUpdateKernelNames.direction)) {
    return tf.engine().runKernel(sgdUpdateKernelNames.direction, v ? { g, w, v } : { g, w }, { momentum, weightDecay }) as tf.Tensor;
  }
  const decayed = weightDecay > 0 ? tf.add(g, tf.mul(w, weightDecay)) : g;
  return v ? tf.add(tf.mul(v, momentum), decayed) : decayed;
}

/** w − lr·d. */
export function sgdApply(w: tf.Tensor, d: tf.Tensor, lr: number): tf.Tensor {
  if (fused(sgdUpdateKernelNames.apply)) return tf.engine().runKernel(sgdUpdateKernelNames.apply, { w, d }, { lr }) as tf.Tensor;
  return tf.sub(w, tf.mul(d, lr));
}

/** r·keep + (s·scale)·blend: a running statistic moved towards a batch's. */
export function movingAverage(r: tf.Tensor, s: tf.Tensor, keep: number, scale: number, blend: number): tf.Tensor {
  if (fused(sgdUpdateKernelNames.movingAverage)) return tf.engine().runKernel(sgdUpdateKernelNames.movingAverage, { r, s }, { keep, scale, blend }) as tf.Tensor;
  return tf.add(tf.mul(r, keep), tf.mul(scale === 1 ? s : tf.mul(s, scale), blend));
}
