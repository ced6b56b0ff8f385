// A plane in weight space, θ(a, b) = origin + a·u + b·v over every tensor, with named anchor points at known (a, b).
import type { HostWeights } from '../models/init.js';
import type { ModelDef } from '../models/spec.js';
import { PlaneError } from './plane-error.js';

/** A weight vector that lies on the plane, e.g. θ_0, θ_t, θ_T, at its plane coordinates. */
export interface Anchor {
  name: string; // "theta_0", "theta_t", "theta_T"
  iteration: number;
  a: number;
  b: number;
}

export interface Plane {
  origin: HostWeights;
  u: HostWeights;
  v: HostWeights;
  anchors: Anchor[];
}

/** Inner product over the trainable tensors, in float64: running statistics are not parameters and do not set distances. */
export function dot(model: ModelDef, x: HostWeights, y: HostWeights): number {
  let sum = 0;
  for (const spec of model.tensors) {
    if (!spec.trainable) continue;
    const a = x.get(spec.name)!;
    const b = y.get(spec.name)!;
    for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  }
  return sum;
}

/** Σ c_k·w_k tensor by tensor (every tensor, running statistics included), summed in float64 and rounded once. */
export function combine(model: ModelDef, terms: ReadonlyArray<readonly [number, HostWeights]>): HostWeights {
  const out: HostWeights = new Map();
  for (const spec of model.tensors) {
    const size = terms[0][1].get(spec.name)!.length;
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      let sum = 0;
      for (const [c, w] of terms) sum += c * w.get(spec.name)![i];
      values[i] = sum;
    }
    out.set(spec.name, values);
  }
  return out;
}

/**
 * The plane through θ_0, θ_t and θ_T, in orthonormal coordinates (Gram–Schmidt over the trainable tensors, as Garipov et
 * al. 2018 draw such planes): origin θ_0, u along θ_T − θ_0, v the part of θ_t − θ_0 orthogonal to u. Distances and
 * angles in the figure are then those of weight space, and the paper's path θ_t → θ_T is a straight segment on it.
 * Every tensor, BatchNorm's running statistics included, follows the same affine combination of the three, so along
 * θ_t → θ_T the statistics are interpolated exactly as the sweep's bn_mode "interpolate" does.
 */
export function threePointPlane(model: ModelDef, start: HostWeights, middle: HostWeights, end: HostWeights, iterations: { start: number; middle: number; end: number }): Plane {
  const toEnd = combine(model, [
    [1, end],
    [-1, start],
  ]);
  const toMiddle = combine(model, [
    [1, middle],
    [-1, start],
  ]);
  const length = Math.sqrt(dot(model, toEnd, toEnd));
  if (!(length > 0)) throw new PlaneError('degenerate-plane', `θ_${iterations.start} and θ_${iterations.end} are the same weights: no plane passes through them and a third point`);
  const along = dot(model, toMiddle, toEnd) / length; // θ_t's a coordinate
  const u = combine(model, [[1 / length, toEnd]]);
  const residual = combine(model, [
    [1, toMiddle],
    [-along, u],
  ]);
  const height = Math.sqrt(dot(model, residual, residual));
  const middleLength = Math.sqrt(dot(model, toMiddle, toMiddle));
  // Relative to the distances involved: float32 rounding of collinear points leaves a residual near 1e-7 of them.
  if (!(height > 1e-5 * Math.max(length, middleLength))) {
    throw new PlaneError(
      'degenerate-plane',
      `θ_${iterations.middle} lies on the line through θ_${iterations.start} and θ_${iterations.end} (distance ${height.toExponential(2)}): choose another checkpoint`,
    );
  }
  const v = combine(model, [[1 / height, residual]]);
  return {
    origin: start,
    u,
    v,
    anchors: [
      { name: 'theta_0', iteration: iterations.start, a: 0, b: 0 },
      { name: 'theta_t', iteration: iterations.middle, a: along, b: height },
      { name: 'theta_T', iteration: iterations.end, a: length, b: 0 },
    ],
  };
}

/** θ(a, b) on the host, every tensor, in float64 then rounded: the reference the device paths are checked against. */
export function planeWeights(model: ModelDef, plane: Plane, a: number, b: number): HostWeights {
  const w = combine(model, [
    [1, plane.origin],
    [a, plane.u],
    [b, plane.v],
  ]);
  for (const [name, values] of w) if (isRunningVariance(name)) values.forEach((value, i) => (values[i] = Math.max(0, value)));
  return w;
}

/**
 * Outside the triangle of anchors the affine combination of running variances can fall below zero, where BatchNorm
 * has no meaning: such a variance is taken as 0 (BatchNorm then divides by √ε, as for a channel that never varied).
 */
export const isRunningVariance = (name: string): boolean => name.endsWith('.running_var');
