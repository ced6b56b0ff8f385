// One SGD step as PyTorch does it: coupled L2 (g + wd·w), momentum buffer v = m·v + g, w −= lr·v; plus BN running-statistics updates.
import * as tf from '@tensorflow/tfjs';
import type { BnContext, ModelDef, Weights } from '../models/spec.js';
import { forward } from '../models/spec.js';
import { meanCrossEntropy } from './loss.js';
import { movingAverage, sgdApply, sgdDirection } from './update-ops.js';

export const bnMomentum = 0.1; // PyTorch's default

export interface OptimizerState {
  weights: Weights;
  velocity: Weights; // momentum buffers of the trainable tensors (empty when momentum is 0)
}

export interface StepSettings {
  lr: number;
  momentum: number;
  weightDecay: number;
}

/** Trains on one batch; returns the new state (the old tensors are disposed) and the batch loss. */
export function sgdStep(model: ModelDef, state: OptimizerState, x: tf.Tensor4D, labels: tf.Tensor1D, settings: StepSettings): { state: OptimizerState; loss: tf.Scalar } {
  const trainable = model.tensors.filter((s) => s.trainable).map((s) => s.name);
  const observed: NonNullable<BnContext['observed']> = new Map();
  const lossOf = (...params: tf.Tensor[]) => {
    const w: Weights = { ...state.weights };
    trainable.forEach((name, i) => (w[name] = params[i]));
    return meanCrossEntropy(forward(model, w, x, { training: true, observed }), labels, model.classes);
  };
  const { value, grads } = tf.valueAndGrads(lossOf)(trainable.map((name) => state.weights[name]));

  const next = tf.tidy(() => {
    const weights: Weights = { ...state.weights };
    const velocity: Weights = {};
    trainable.forEach((name, i) => {
      const w = state.weights[name];
      const v = settings.momentum > 0 ? state.velocity[name] : undefined;
      // The first momentum step has no buffer yet: it starts as the (decayed) gradient, as in PyTorch.
      const d = sgdDirection(grads[i], w, v, settings.momentum, settings.weightDecay);
      if (settings.momentum > 0) velocity[name] = d;
      weights[name] = sgdApply(w, d, settings.lr);
    });
    for (const [layer, { mean, variance, count }] of observed) {
      const unbiased = count / Math.max(1, count - 1);
      weights[`${layer}.running_mean`] = movingAverage(state.weights[`${layer}.running_mean`], mean, 1 - bnMomentum, 1, bnMomentum);
      weights[`${layer}.running_var`] = movingAverage(state.weights[`${layer}.running_var`], variance, 1 - bnMomentum, unbiased, bnMomentum);
    }
    return { weights, velocity };
  });
  // Keep what the next state holds; free everything else of the old state and the step.
  const kept = new Set<tf.Tensor>([...Object.values(next.weights), ...Object.values(next.velocity)]);
  for (const t of [...Object.values(state.weights), ...Object.values(state.velocity), ...grads]) if (!kept.has(t)) t.dispose();
  for (const { mean, variance } of observed.values()) {
    mean.dispose();
    variance.dispose();
  }
  for (const t of kept) tf.keep(t);
  return { state: next, loss: value as tf.Scalar };
}
