// Where a plane is evaluated: a grid × grid lattice of (a, b) covering its anchors with a margin, or a square around θ_T.
import { PlaneError } from './plane-error.js';
import type { Anchor } from './plane.js';

export interface PlaneGrid {
  as: number[]; // ascending
  bs: number[]; // ascending
}

function linspace(from: number, to: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => (k === count - 1 ? to : from + ((to - from) * k) / (count - 1)));
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 2) throw new PlaneError('bad-plane-options', `grid must be an integer of at least 2 points a side, got ${count}`);
}

/**
 * The box around the anchors, widened on every side by `margin` times its longer side (the same pad on both axes, so
 * the region around each anchor is seen as far in every direction), sampled at `count` points a side, ends included.
 */
export function gridAroundAnchors(anchors: readonly Anchor[], count: number, margin: number): PlaneGrid {
  checkCount(count);
  if (!(margin >= 0) || !Number.isFinite(margin)) throw new PlaneError('bad-plane-options', `margin must be a non-negative number, got ${margin}`);
  const as = anchors.map((p) => p.a);
  const bs = anchors.map((p) => p.b);
  const pad = margin * Math.max(Math.max(...as) - Math.min(...as), Math.max(...bs) - Math.min(...bs));
  if (!(pad > 0) && anchors.length < 2) throw new PlaneError('bad-plane-options', 'a grid around a single anchor needs a span, not a margin');
  return { as: linspace(Math.min(...as) - pad, Math.max(...as) + pad, count), bs: linspace(Math.min(...bs) - pad, Math.max(...bs) + pad, count) };
}

/** [−span, span]² at `count` points a side (Li et al. plot [−1, 1]²). */
export function gridAroundOrigin(count: number, span: number): PlaneGrid {
  checkCount(count);
  if (!(span > 0) || !Number.isFinite(span)) throw new PlaneError('bad-plane-options', `span must be a positive number, got ${span}`);
  return { as: linspace(-span, span, count), bs: linspace(-span, span, count) };
}
