// The four barrier measures of a curve L(x) on the straight path from θ_t (x = 0) to θ_T (x = 1).
import type { BarrierMeasures } from '../../artifacts/barriers.js';
import { BarrierError } from './errors.js';

/** Written into barriers.json so every number can be read without this code. */
export const BARRIER_DEFINITIONS: Record<keyof BarrierMeasures, string> = {
  above_start: 'max_x L(x) − L(0): the rise above the starting point θ_t (Frankle 2020, Figure 3); ≥ 0',
  above_chord: 'max_x [L(x) − ((1−x)·L(0) + x·L(1))]: the rise above the straight chord between the endpoints; ≥ 0, 0 for a convex curve',
  lmc: 'max_x L(x) − ½(L(0) + L(1)): the linear-mode-connectivity barrier (Frankle et al. 2020); may be negative',
  largest_bump: 'max_x [L(x) − min_{x′ ≤ x} L(x′)]: the largest increase after a preceding minimum, i.e. the biggest rise anywhere along the path; ≥ 0, 0 exactly when L never increases',
};

/** Computes the measures from samples (x_i, L_i), x ascending from 0 to 1. */
export function barrierMeasures(xs: ArrayLike<number>, losses: ArrayLike<number>, where = 'curve'): BarrierMeasures {
  const n = xs.length;
  if (n < 2 || losses.length !== n) throw new BarrierError('bad-curve', `${where}: need at least 2 points with one value each (got ${n} x, ${losses.length} values)`);
  if (xs[0] !== 0 || xs[n - 1] !== 1) throw new BarrierError('bad-curve', `${where}: x must run from 0 to 1 (got ${xs[0]} … ${xs[n - 1]})`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(losses[i]!)) throw new BarrierError('value-not-finite', `${where}: value ${losses[i]} at x = ${xs[i]}`);
    if (i > 0 && !(xs[i]! > xs[i - 1]!)) throw new BarrierError('bad-curve', `${where}: x not increasing at index ${i} (${xs[i - 1]}, ${xs[i]})`);
  }
  const start = losses[0]!;
  const end = losses[n - 1]!;
  let max = -Infinity;
  let aboveChord = -Infinity;
  let runningMin = Infinity;
  let bump = 0;
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    const value = losses[i]!;
    max = Math.max(max, value);
    // start + x·(end − start) rather than (1−x)·start + x·end: exact on a flat line.
    aboveChord = Math.max(aboveChord, value - (start + x * (end - start)));
    runningMin = Math.min(runningMin, value);
    bump = Math.max(bump, value - runningMin);
  }
  return { above_start: max - start, above_chord: aboveChord, lmc: max - (start + end) / 2, largest_bump: bump };
}
