// Running BatchNorm statistics recomputed at each point of the path: batch statistics averaged over the training set.
import * as tf from '@tensorflow/tfjs';
import type { BnContext, Weights } from '../models/spec.js';

type Observed = NonNullable<BnContext['observed']>;

interface LayerSums {
  mean: tf.Tensor; // Σ n_b · mean_b
  variance: tf.Tensor; // Σ n_b · unbiased variance_b
  count: number; // Σ n_b
}

/**
 * Accumulates, for every point, each BN layer's batch means and unbiased variances weighted by batch size — what
 * PyTorch would store as running statistics with a cumulative average, over the whole training set.
 */
export class BnStatistics {
  private readonly sums: Map<string, LayerSums>[];

  constructor(points: number) {
    this.sums = Array.from({ length: points }, () => new Map());
  }

  /** Takes ownership of the observed batch statistics of point k (they are disposed here). */
  add(k: number, observed: Observed): void {
    for (const [layer, stats] of observed) {
      const previous = this.sums[k].get(layer);
      const weighted = tf.tidy(() => ({
        mean: tf.mul(stats.mean, stats.count),
        variance: tf.mul(stats.variance, stats.count * (stats.count / Math.max(1, stats.count - 1))),
      }));
      const next = previous ? tf.tidy(() => ({ mean: tf.add(previous.mean, weighted.mean), variance: tf.add(previous.variance, weighted.variance) })) : weighted;
      if (previous) tf.dispose([previous.mean, previous.variance, weighted.mean, weighted.variance]);
      tf.dispose([stats.mean, stats.variance]);
      this.sums[k].set(layer, { ...next, count: (previous?.count ?? 0) + stats.count });
    }
  }

  /** The averaged statistics per point, as `<layer>.running_mean` / `<layer>.running_var` tensors (caller disposes). */
  finish(): Weights[] {
    return this.sums.map((layers) => {
      const stats: Weights = {};
      for (const [layer, s] of layers) {
        stats[`${layer}.running_mean`] = tf.div(s.mean, s.count);
        stats[`${layer}.running_var`] = tf.div(s.variance, s.count);
        tf.dispose([s.mean, s.variance]);
      }
      layers.clear();
      return stats;
    });
  }
}
