// Li et al. (2018) filter-normalised random directions, so a plane around θ_T has the scale of each filter it moves.
import { mulberry32, normalSampler, deriveSeed } from '../random.js';
import type { HostWeights } from '../models/init.js';
import type { ModelDef, TensorSpec } from '../models/spec.js';
import { PlaneError } from './plane-error.js';
import type { Plane } from './plane.js';

/**
 * The filters of a tensor in tfjs layout: one per output unit, the last axis ([in, out] and [kh, kw, in, out] both), so
 * filter j holds elements j, j + out, j + 2·out, … A vector (bias, BatchNorm γ/β, running statistics) has no filters.
 */
export function filterCount(spec: TensorSpec): number {
  return spec.layout === 'vector' ? 0 : spec.shape[spec.shape.length - 1];
}

/** ‖filter j‖ for every filter of `values` (float64 sums). */
export function filterNorms(values: Float32Array, filters: number): Float64Array {
  const norms = new Float64Array(filters);
  for (let i = 0; i < values.length; i++) norms[i % filters] += values[i] * values[i];
  return norms.map(Math.sqrt);
}

/**
 * Scales each filter of `direction` to the norm of the same filter of `weights` (in place). Vectors get a zero direction,
 * Li et al.'s `ignore = 'biasbn'`: biases and BatchNorm parameters stay at θ_T's values across the plane, and so do the
 * running statistics, so every point's BatchNorm is θ_T's and no variance can turn negative.
 */
export function normalizeFilters(model: ModelDef, direction: HostWeights, weights: HostWeights): void {
  for (const spec of model.tensors) {
    const d = direction.get(spec.name)!;
    const filters = filterCount(spec);
    if (filters === 0) {
      d.fill(0);
      continue;
    }
    const target = filterNorms(weights.get(spec.name)!, filters);
    const own = filterNorms(d, filters);
    const scale = target.map((norm, j) => (own[j] > 0 ? norm / own[j] : 0));
    for (let i = 0; i < d.length; i++) d[i] *= scale[i % filters];
  }
}

/** A standard-normal direction, filter-normalised against `weights`; the same for the same seed and label on any machine. */
export function filterNormalizedDirection(model: ModelDef, weights: HostWeights, seed: number, label: string): HostWeights {
  const normal = normalSampler(mulberry32(deriveSeed(seed, 'plane-direction', label)));
  const direction: HostWeights = new Map();
  for (const spec of model.tensors) direction.set(spec.name, Float32Array.from({ length: weights.get(spec.name)!.length }, normal));
  normalizeFilters(model, direction, weights);
  return direction;
}

/** The plane through θ_T along two seeded filter-normalised random directions (Li et al. 2018, Figure 1's kind of plot). */
export function randomPlane(model: ModelDef, end: HostWeights, seed: number, iteration: number): Plane {
  if (!Number.isInteger(seed) || seed < 0) throw new PlaneError('bad-plane-options', `seed must be a non-negative integer, got ${seed}`);
  return {
    origin: end,
    u: filterNormalizedDirection(model, end, seed, 'u'),
    v: filterNormalizedDirection(model, end, seed, 'v'),
    anchors: [{ name: 'theta_T', iteration, a: 0, b: 0 }],
  };
}
