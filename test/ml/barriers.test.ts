// Barrier measures on hand-made curves whose answers are known in closed form.
import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/ml/barriers/aggregate.js';
import { barrierMeasures } from '../../src/ml/barriers/barriers.js';

const grid = (n: number) => Array.from({ length: n }, (_, i) => i / (n - 1));
const measure = (f: (x: number) => number, n = 101) => {
  const xs = grid(n);
  return barrierMeasures(xs, xs.map(f));
};

describe('barrierMeasures', () => {
  it('gives zero rise for a convex, decreasing curve, and a negative LMC barrier', () => {
    const m = measure((x) => 2 * (1 - x) ** 2 + 0.5); // L(0) = 2.5, L(1) = 0.5
    expect(m.above_start).toBe(0);
    expect(m.above_chord).toBeCloseTo(0, 12);
    expect(m.lmc).toBeCloseTo(2.5 - 1.5, 12);
    expect(m.largest_bump).toBe(0);
  });

  it('measures a symmetric hump above flat ends: every measure equals its height', () => {
    // L(x) = 1 + 4h·x(1−x): peak 1 + h at x = ½ (on the 101-point grid).
    const m = measure((x) => 1 + 4 * 0.3 * x * (1 - x));
    for (const value of Object.values(m)) expect(value).toBeCloseTo(0.3, 12);
  });

  it('separates the measures on a curve that dips, rises and falls', () => {
    // Piecewise linear through (0, 2), (0.25, 1), (0.75, 2.5), (1, 0): known values at grid points.
    const f = (x: number) => (x <= 0.25 ? 2 - 4 * x : x <= 0.75 ? 1 + 3 * (x - 0.25) : 2.5 - 10 * (x - 0.75));
    const m = measure(f);
    expect(m.above_start).toBeCloseTo(0.5, 12); // 2.5 − 2
    expect(m.lmc).toBeCloseTo(1.5, 12); // 2.5 − (2 + 0)/2
    expect(m.largest_bump).toBeCloseTo(1.5, 12); // 2.5 − 1
    expect(m.above_chord).toBeCloseTo(2.5 - 2 * 0.25, 12); // chord 2 − 2x, maximum gap at the peak x = 0.75
  });

  it('counts a final rise as a bump and uses the actual x positions for the chord', () => {
    const m = barrierMeasures([0, 0.1, 1], [1, 0, 3]);
    expect(m.largest_bump).toBe(3);
    expect(m.above_start).toBe(2);
    expect(m.above_chord).toBe(0); // chord at 0.1 is 1.2; both ends are on it
    expect(m.lmc).toBe(1);
  });

  it('rejects curves that do not span 0..1, are unsorted, or hold non-finite values', () => {
    expect(() => barrierMeasures([0, 0.5], [1, 2], 'a@3')).toThrow(/a@3: x must run from 0 to 1/);
    expect(() => barrierMeasures([0, 0.6, 0.4, 1], [1, 2, 3, 4])).toThrow(/not increasing at index 2/);
    expect(() => barrierMeasures([0, 1], [1, NaN], 's@0')).toThrow(/s@0: value NaN at x = 1/);
  });
});

describe('aggregate', () => {
  const rows = (losses: number[]) => losses.map((loss, i) => ({ x: i / (losses.length - 1), test_loss: loss, test_error: loss / 10 }));
  const sweep = (iteration: number, losses: number[]) => ({
    setting: 's',
    iteration,
    final_iteration: 20,
    points: losses.length,
    bn_mode: 'interpolate',
    backend: 'wasm',
    rows: rows(losses),
    source: `sweep@${iteration}`,
  });
  const train = (final: { test_loss: number; test_accuracy: number } | null) =>
    new Map([['s', { setting: 's', model: 'lenet_300_100', iterations: [0, 20], final_iteration: 20, seed: 1, backend: 'wasm', final, history: [], source: 'train.json' }]]);

  it('takes the final result from train.json, or from the sweep of the final checkpoint when its producer did not evaluate it', () => {
    const sweeps = [sweep(0, [2, 2.5, 1]), sweep(20, [0.5, 0.5, 0.5])];
    expect(aggregate(sweeps, train({ test_loss: 0.4, test_accuracy: 0.9 })).barriers.settings.s!.final).toEqual({ test_loss: 0.4, test_error: expect.closeTo(0.1, 12) });
    expect(aggregate(sweeps, train(null)).barriers.settings.s!.final).toEqual({ test_loss: 0.5, test_error: 0.05 });
    expect(() => aggregate([sweep(0, [2, 2.5, 1])], train(null))).toThrow(/has no final evaluation \(final: null\), and no sweep of the final checkpoint \(iteration 20\)/);
  });
});
