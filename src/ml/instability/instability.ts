// Instability (Frankle, Dziugaite, Roy, Carbin 2020): the barrier on the line between two children's final weights, and the
// stability point: the first branch iteration t from which the children stay linearly connected.
import type { InstabilityMeasure } from '../../artifacts/instability.js';
import { barrierMeasures } from '../barriers/barriers.js';

/** Written into instability.json so every number can be read without this code. */
export const INSTABILITY_DEFINITIONS = {
  instability:
    "max_x L(x) − ½(L(0) + L(1)) on the line x ∈ [0, 1] from child A's final weights to child B's, both trained from the parent's θ_t with different data order and augmentation (Frankle et al. 2020); ≥ 0, since both ends are on the path",
  stability_point: 'the first t in the list at which the instability is at most the threshold and stays so at every later t; null when none is',
};

/** The instability of one curve (x ascending from 0 to 1): the linear-mode-connectivity barrier (c) of src/ml/barriers. */
export function instabilityOf(xs: ArrayLike<number>, values: ArrayLike<number>, where = 'curve'): InstabilityMeasure {
  const { lmc } = barrierMeasures(xs, values, where); // validates the curve: x from 0 to 1, ascending, finite values
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  return { instability: lmc, max, start: values[0]!, end: values[values.length - 1]! };
}

/**
 * The first t whose instability is ≤ threshold and stays ≤ threshold at every later t; null when the last one is above.
 * "Stays": a single quiet t followed by unstable ones is noise, not the point from which training is stable.
 */
export function stabilityPoint(rows: ReadonlyArray<{ iteration: number; instability: number }>, threshold: number): number | null {
  const sorted = [...rows].sort((a, b) => a.iteration - b.iteration);
  let point: number | null = null;
  for (let i = sorted.length - 1; i >= 0; i--) {
    if (sorted[i]!.instability > threshold) break;
    point = sorted[i]!.iteration;
  }
  return point;
}
