// The instability of hand-made curves, the stability point, and the aggregation of child↔child sweeps.
import { describe, expect, it } from 'vitest';
import type { SweepCurve } from '../../../src/ml/barriers/inputs.js';
import { aggregateInstability } from '../../../src/ml/instability/aggregate.js';
import { instabilityOf, stabilityPoint } from '../../../src/ml/instability/instability.js';

const xs = [0, 0.25, 0.5, 0.75, 1];

describe('instabilityOf', () => {
  it('is the peak above the mean of the two ends', () => {
    expect(instabilityOf(xs, [0.02, 0.1, 0.3, 0.1, 0.04])).toEqual({ instability: 0.3 - 0.03, max: 0.3, start: 0.02, end: 0.04 });
  });

  it("is 0 on a flat line or a valley, and half the ends' gap on a straight slope (never negative: the ends are on the path)", () => {
    expect(instabilityOf(xs, [0.1, 0.1, 0.1, 0.1, 0.1]).instability).toBe(0);
    // A straight line between unequal ends: the max is the higher end, half their difference above the mean.
    expect(instabilityOf(xs, [0.1, 0.15, 0.2, 0.25, 0.3]).instability).toBeCloseTo(0.1, 12);
    expect(instabilityOf([0, 0.5, 1], [0.2, 0.1, 0.2]).instability).toBeCloseTo(0, 12);
  });

  it('refuses a curve that is not x from 0 to 1 with finite values', () => {
    expect(() => instabilityOf([0, 0.5], [1, 2])).toThrow(/x must run from 0 to 1/);
    expect(() => instabilityOf([0, 1], [1, Number.NaN], 'c')).toThrow(/c: value NaN/);
  });
});

describe('stabilityPoint', () => {
  const rows = (pairs: Array<[number, number]>) => pairs.map(([iteration, instability]) => ({ iteration, instability }));

  it('is the first t from which the instability stays at or below the threshold', () => {
    expect(
      stabilityPoint(
        rows([
          [0, 0.3],
          [10, 0.05],
          [100, 0.02],
          [1000, 0.001],
        ]),
        0.02,
      ),
    ).toBe(100);
    expect(
      stabilityPoint(
        rows([
          [1000, 0.001],
          [0, 0.3],
          [100, 0.01],
        ]),
        0.02,
      ),
    ).toBe(100); // in any order
  });

  it('skips a quiet t followed by unstable ones, and is null when the last t is above', () => {
    expect(
      stabilityPoint(
        rows([
          [0, 0.01],
          [10, 0.05],
          [100, 0.01],
        ]),
        0.02,
      ),
    ).toBe(100);
    expect(
      stabilityPoint(
        rows([
          [0, 0.01],
          [10, 0.05],
        ]),
        0.02,
      ),
    ).toBeNull();
  });

  it('is the first t when every t is stable', () => {
    expect(
      stabilityPoint(
        rows([
          [0, 0],
          [5, 0.02],
        ]),
        0.02,
      ),
    ).toBe(0);
  });
});

describe('aggregateInstability', () => {
  const child = (seed: number, t: number) => ({ seed, iteration: 938, branched_from: { iteration: t, parent_seed: 1 } });
  const sweep = (t: number, peak: number, seeds: [number, number] = [2, 3], setting = 'conv'): SweepCurve => ({
    setting,
    seed: seeds[0],
    iteration: 938,
    final_iteration: 938,
    points: 3,
    bn_mode: 'interpolate',
    backend: 'wasm',
    source: `sweeps/${setting}@${t}/sweep.json`,
    rows: [
      { x: 0, test_loss: 0.1, test_error: 0.02 },
      { x: 0.5, test_loss: 0.1 + 3 * peak, test_error: 0.02 + peak },
      { x: 1, test_loss: 0.1, test_error: 0.02 },
    ],
    endpoints: { start: child(seeds[0], t), end: child(seeds[1], t) },
  });

  it('orders by t, measures error and loss, finds the stability points, and writes numbers only into metrics', () => {
    const { document, metrics } = aggregateInstability([sweep(800, 0.001), sweep(0, 0.1), sweep(100, 0.01)], { error: 0.02, loss: 0.02 });
    const conv = document.settings.conv!;
    expect(conv.rows.map((r) => r.iteration)).toEqual([0, 100, 800]);
    expect(conv.rows[0]!.error.instability).toBeCloseTo(0.1, 12);
    expect(conv.rows[0]!.loss.instability).toBeCloseTo(0.3, 12);
    expect(conv.rows[0]!.seeds).toEqual([2, 3]);
    expect(conv.stability_point).toEqual({ error: 100, loss: 800 });
    expect(document.thresholds).toEqual({ error: 0.02, loss: 0.02 });
    expect(metrics.conv).toMatchObject({ error_stability_point: 100, loss_stability_point: 800 });
    expect(metrics.conv!.error_instability_it0).toBeCloseTo(0.1, 12);
  });

  it('refuses a sweep that is not between two children of one checkpoint, or between two copies of one child', () => {
    const plain = { ...sweep(0, 0.1), endpoints: undefined };
    expect(() => aggregateInstability([plain], { error: 0.02, loss: 0.05 })).toThrow(/not a sweep between two children/);
    const mixed = sweep(0, 0.1);
    mixed.endpoints!.end.branched_from!.iteration = 100;
    expect(() => aggregateInstability([mixed], { error: 0.02, loss: 0.05 })).toThrow(/different parent checkpoints/);
    expect(() => aggregateInstability([sweep(0, 0.1, [2, 2])], { error: 0.02, loss: 0.05 })).toThrow(/both children have data-order seed 2/);
    expect(() => aggregateInstability([sweep(0, 0.1), sweep(0, 0.2)], { error: 0.02, loss: 0.05 })).toThrow(/branched at t = 0 is also in/);
  });
});
