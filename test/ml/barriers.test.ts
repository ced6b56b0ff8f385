// Barrier measures on hand-made curves whose answers are known in closed form.
import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/ml/barriers/aggregate.js';
import { barrierMeasures } from '../../src/ml/barriers/barriers.js';
import { runName, type TrainSummary } from '../../src/ml/barriers/inputs.js';

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
  const sweep = (iteration: number, losses: number[], seed = 1) => ({
    setting: 's',
    seed,
    iteration,
    final_iteration: 20,
    points: losses.length,
    bn_mode: 'interpolate',
    backend: 'wasm',
    rows: rows(losses),
    source: `sweep@${seed}@${iteration}`,
  });
  const run = (seed: number, final: { test_loss: number; test_accuracy: number } | null, finalIteration = 20): [string, TrainSummary] => [
    runName('s', seed),
    { setting: 's', model: 'lenet_300_100', iterations: [0, finalIteration], final_iteration: finalIteration, seed, backend: 'wasm', final, history: [], source: `train${seed}.json` },
  ];
  const train = (final: { test_loss: number; test_accuracy: number } | null) => new Map([run(1, final)]);

  it('takes the final result from train.json, or from the sweep of the final checkpoint when its producer did not evaluate it', () => {
    const sweeps = [sweep(0, [2, 2.5, 1]), sweep(20, [0.5, 0.5, 0.5])];
    expect(aggregate(sweeps, train({ test_loss: 0.4, test_accuracy: 0.9 })).barriers.settings.s!.seeds[0]!.final).toEqual({ test_loss: 0.4, test_error: expect.closeTo(0.1, 12) });
    expect(aggregate(sweeps, train(null)).barriers.settings.s!.final).toEqual({ test_loss: { mean: 0.5, sd: 0, min: 0.5, max: 0.5 }, test_error: { mean: 0.05, sd: 0, min: 0.05, max: 0.05 } });
    expect(() => aggregate([sweep(0, [2, 2.5, 1])], train(null))).toThrow(/has no final evaluation \(final: null\), and no sweep of the final checkpoint \(iteration 20\)/);
  });

  it('summarises each barrier across seeds as mean, sample sd and range, checkpoint by checkpoint', () => {
    const sweeps = [sweep(0, [2, 2.5, 1], 1), sweep(20, [0.5, 0.5, 0.5], 1), sweep(0, [2, 3, 1], 7), sweep(20, [0.4, 0.4, 0.4], 7)];
    const trains = new Map([run(1, { test_loss: 0.5, test_accuracy: 0.9 }), run(7, { test_loss: 0.4, test_accuracy: 0.8 })]);
    const { barriers, curves, metrics } = aggregate(sweeps, trains);
    const s = barriers.settings.s!;
    expect(s.seeds.map((seed) => seed.seed)).toEqual([1, 7]);
    expect(s.seeds[1]!.rows[0]!.loss.above_start).toBe(1);
    const rise = s.rows[0]!.loss.above_start;
    expect(rise.mean).toBeCloseTo(0.75, 12);
    expect(rise.sd).toBeCloseTo(Math.SQRT1_2 * 0.5, 12);
    expect([rise.min, rise.max]).toEqual([0.5, 1]);
    expect(s.final.test_error.mean).toBeCloseTo(0.15, 12);
    expect(s.rows.map((row) => row.iteration)).toEqual([0, 20]);
    expect(curves.filter((p) => p.iteration === 0).map((p) => [p.seed, p.test_loss])).toEqual([
      [1, 2],
      [1, 2.5],
      [1, 1],
      [7, 2],
      [7, 3],
      [7, 1],
    ]);
    expect(metrics.s).toMatchObject({ seeds: 2, final_test_loss: expect.closeTo(0.45, 12), barrier_loss_it0: expect.closeTo(0.75, 12) });
  });

  it('refuses seeds of one setting that swept different checkpoints or end at different iterations', () => {
    const trains = new Map([run(1, { test_loss: 0.5, test_accuracy: 0.9 }), run(2, { test_loss: 0.4, test_accuracy: 0.8 })]);
    expect(() => aggregate([sweep(0, [2, 2.5, 1], 1), sweep(20, [0.5, 0.5, 0.5], 1), sweep(0, [2, 3, 1], 2)], trains)).toThrow(
      's: seed 2 swept checkpoints [0], seed 1 [0, 20]; every seed of a setting must sweep the same ones',
    );
    const shorter = new Map([run(1, { test_loss: 0.5, test_accuracy: 0.9 }), run(2, { test_loss: 0.4, test_accuracy: 0.8 }, 10)]);
    expect(() => aggregate([sweep(0, [2, 2.5, 1], 1), { ...sweep(0, [2, 3, 1], 2), final_iteration: 10 }], shorter)).toThrow('train2.json: s seed 2 ends at iteration 10, seed 1 at 20');
  });

  it('names the run whose train output is missing', () => {
    expect(() => aggregate([sweep(0, [2, 2.5, 1], 3)], train(null))).toThrow('sweep@3@0: no train output for s seed 3');
  });
});
