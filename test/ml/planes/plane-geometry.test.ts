// Plane geometry: the anchors land at their coordinates, the paper's paths lie on the plane, the grid covers them.
import { describe, expect, it } from 'vitest';
import { initialWeights, type HostWeights } from '../../../src/ml/models/init.js';
import { buildModel } from '../../../src/ml/models/registry.js';
import { PlaneError } from '../../../src/ml/planes/plane-error.js';
import { gridAroundAnchors, gridAroundOrigin } from '../../../src/ml/planes/plane-grid.js';
import { combine, dot, planeWeights, threePointPlane } from '../../../src/ml/planes/plane.js';

const model = buildModel('conv_bn', [8, 8, 1], 4);
const [w0, wt, wT] = [1, 2, 3].map((seed) => initialWeights(model, seed));
const plane = threePointPlane(model, w0, wt, wT, { start: 0, middle: 10, end: 100 });

function maxDifference(x: HostWeights, y: HostWeights): number {
  let worst = 0;
  for (const [name, values] of y) {
    const scale = Math.max(1, ...values.map(Math.abs));
    x.get(name)!.forEach((value, i) => (worst = Math.max(worst, Math.abs(value - values[i]) / scale)));
  }
  return worst;
}

describe('threePointPlane', () => {
  it('has orthonormal directions over the trainable tensors', () => {
    expect(dot(model, plane.u, plane.u)).toBeCloseTo(1, 5);
    expect(dot(model, plane.v, plane.v)).toBeCloseTo(1, 5);
    expect(Math.abs(dot(model, plane.u, plane.v))).toBeLessThan(1e-5);
  });

  it('puts θ_0 at the origin, θ_T on the a axis and θ_t above it, at their distances in weight space', () => {
    const [a0, at, aT] = plane.anchors;
    expect([a0.name, a0.a, a0.b]).toEqual(['theta_0', 0, 0]);
    const distance = (x: HostWeights, y: HostWeights) => {
      const d = combine(model, [
        [1, x],
        [-1, y],
      ]);
      return Math.sqrt(dot(model, d, d));
    };
    expect(aT.b).toBe(0);
    expect(aT.a).toBeCloseTo(distance(wT, w0), 4);
    expect(at.b).toBeGreaterThan(0);
    expect(Math.hypot(at.a, at.b)).toBeCloseTo(distance(wt, w0), 4);
    expect(Math.hypot(at.a - aT.a, at.b)).toBeCloseTo(distance(wt, wT), 4);
  });

  it('maps each anchor coordinate to that anchor, every tensor (running statistics too) to float32 rounding', () => {
    plane.anchors.forEach((anchor, i) => expect(maxDifference(planeWeights(model, plane, anchor.a, anchor.b), [w0, wt, wT][i])).toBeLessThan(2e-6));
  });

  it("holds the paper's path: (1−x)·θ_t + x·θ_T is the point (1−x)·(a_t, b_t) + x·(a_T, b_T)", () => {
    const [, at, aT] = plane.anchors;
    for (const x of [0.25, 0.5, 0.9]) {
      const onPath = combine(model, [
        [1 - x, wt],
        [x, wT],
      ]);
      const onPlane = planeWeights(model, plane, (1 - x) * at.a + x * aT.a, (1 - x) * at.b + x * aT.b);
      expect(maxDifference(onPlane, onPath)).toBeLessThan(2e-6);
    }
  });

  it('refuses points that span no plane: θ_t = θ_0, and θ_t on the line through θ_0 and θ_T', () => {
    expect(() => threePointPlane(model, w0, w0, wT, { start: 0, middle: 0, end: 100 })).toThrow(PlaneError);
    const onLine = combine(model, [
      [0.5, w0],
      [0.5, wT],
    ]);
    expect(() => threePointPlane(model, w0, onLine, wT, { start: 0, middle: 10, end: 100 })).toThrow(/lies on the line/);
    expect(() => threePointPlane(model, w0, wt, w0, { start: 0, middle: 10, end: 0 })).toThrow(expect.objectContaining({ reason: 'degenerate-plane' }));
  });

  it('takes a running variance below zero as zero', () => {
    // θ_T's variances 0.1, θ_0's 1: far beyond θ_T the affine combination 1 + 50·(0.1 − 1) is negative.
    const smaller = new Map([...wT].map(([name, values]) => [name, name.endsWith('.running_var') ? values.map(() => 0.1) : values]));
    const withSmaller = threePointPlane(model, w0, wt, smaller, { start: 0, middle: 10, end: 100 });
    const far = planeWeights(model, withSmaller, 50 * withSmaller.anchors[2].a, 0);
    const variances = [...far].filter(([name]) => name.endsWith('.running_var')).flatMap(([, values]) => [...values]);
    expect(variances.length).toBeGreaterThan(0);
    expect(variances.every((value) => value === 0)).toBe(true);
    const near = planeWeights(model, withSmaller, 0.5 * withSmaller.anchors[2].a, 0);
    expect(near.get('bn1.running_var')![0]).toBeCloseTo(0.55, 5);
  });
});

describe('plane grids', () => {
  it('covers the anchors with the margin on every side, ends exact', () => {
    const grid = gridAroundAnchors(plane.anchors, 31, 0.2);
    const [, at, aT] = plane.anchors;
    const pad = 0.2 * Math.max(aT.a - Math.min(0, at.a), at.b);
    expect(grid.as).toHaveLength(31);
    expect(grid.as[0]).toBeCloseTo(Math.min(0, at.a) - pad, 10);
    expect(grid.as[30]).toBe(Math.max(aT.a, at.a) + pad);
    expect(grid.bs[0]).toBeCloseTo(-pad, 10);
    expect(grid.bs[30]).toBe(at.b + pad);
  });

  it('around the origin: [−span, span]², 0 a grid point for an odd count', () => {
    const grid = gridAroundOrigin(5, 2);
    expect(grid.as).toEqual([-2, -1, 0, 1, 2]);
    expect(grid.bs).toEqual(grid.as);
  });

  it('refuses sizes that are no grid', () => {
    expect(() => gridAroundOrigin(1, 1)).toThrow(expect.objectContaining({ reason: 'bad-plane-options' }));
    expect(() => gridAroundOrigin(5, 0)).toThrow(/span/);
    expect(() => gridAroundAnchors(plane.anchors, 5, -1)).toThrow(/margin/);
  });
});
