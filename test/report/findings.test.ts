// The report's sentences come from the numbers: halfway crossings and first barriers above a threshold.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAggregateOutput, type AggregateData } from '../../src/artifacts/aggregate-output.js';
import { figure1Finding, figure2Finding, figure3Finding, firstExceeding, halfwayCrossing } from '../../src/report/findings.js';
import { DEFAULT_PARAMS } from '../../src/report/params.js';
import { CIFAR, MNIST, writeAggregateFixture } from './fixtures.js';

describe('halfwayCrossing', () => {
  it('finds the first sample below the midpoint of the two ends', () => {
    const line = Array.from({ length: 11 }, (_, i) => ({ x: i / 10, value: 1 - i / 10 }));
    expect(halfwayCrossing(line)).toBe(0.6); // 0.5 itself is not below halfway
  });

  it('sees a late fall, whatever order the points come in', () => {
    const cliff = Array.from({ length: 11 }, (_, i) => ({ x: i / 10, value: i < 9 ? 2.3 : 0.3 })).reverse();
    expect(halfwayCrossing(cliff)).toBe(0.9);
  });

  it('is null when the curve does not fall from end to end', () => {
    expect(
      halfwayCrossing([
        { x: 0, value: 1 },
        { x: 0.5, value: 0.2 },
        { x: 1, value: 1 },
      ]),
    ).toBeNull();
    expect(halfwayCrossing([])).toBeNull();
  });
});

describe('firstExceeding', () => {
  it('returns the smallest t above the threshold, not the first listed', () => {
    const rows = [
      { iteration: 300, barrier: 0.5 },
      { iteration: 0, barrier: 0 },
      { iteration: 100, barrier: 0.2 },
      { iteration: 30, barrier: 0.1 },
    ];
    expect(firstExceeding(rows, 0.1)).toBe(100);
    expect(firstExceeding(rows, 0.05)).toBe(30);
    expect(firstExceeding(rows, 1)).toBeNull();
  });
});

describe('figure sentences', () => {
  let dir = '';
  let data: AggregateData;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'linpath-findings-'));
    await writeAggregateFixture(dir, [MNIST, CIFAR], 41);
    data = await readAggregateOutput(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const crossingOf = (setting: string, t: number) => halfwayCrossing(data.curves.filter((p) => p.setting === setting && p.iteration === t).map((p) => ({ x: p.x, value: p.test_loss })))!;

  it('figure 1 states where each initialization curve crosses halfway', () => {
    const sentence = figure1Finding(data);
    expect(sentence).toContain(`${MNIST.name} at x = ${crossingOf(MNIST.name, 0).toFixed(2)}`);
    expect(sentence).toContain(`${CIFAR.name} at x = ${crossingOf(CIFAR.name, 0).toFixed(2)}`);
    // The cliff-shaped curve crosses much later than the convex one.
    expect(crossingOf(CIFAR.name, 0)).toBeGreaterThan(crossingOf(MNIST.name, 0) + 0.3);
  });

  it('figure 2 compares the earliest and the last checkpoint before T', () => {
    const sentence = figure2Finding(data);
    const last = MNIST.checkpoints.at(-2)!;
    expect(sentence).toContain(`x = ${crossingOf(MNIST.name, last).toFixed(2)} from t = ${last}`);
    expect(sentence).not.toContain(`from t = ${MNIST.finalIteration}`);
  });

  it('figure 3 follows the threshold parameter', () => {
    const rows = data.settings[MNIST.name]!.rows;
    const expectAt = (threshold: number) =>
      firstExceeding(
        rows.map((r) => ({ iteration: r.iteration, barrier: r.loss.above_start.mean })),
        threshold,
      );
    const low = figure3Finding(data, { ...DEFAULT_PARAMS, loss_threshold: 0.01 });
    const high = figure3Finding(data, { ...DEFAULT_PARAMS, loss_threshold: 0.3 });
    expect(low).toContain(`${MNIST.name} at t = ${expectAt(0.01)} in loss`);
    expect(high).toContain(`${MNIST.name} at t = ${expectAt(0.3)} in loss`);
    expect(expectAt(0.3)).toBeGreaterThan(expectAt(0.01)!);
    expect(figure3Finding(data, { ...DEFAULT_PARAMS, loss_threshold: 100 })).toContain(`${MNIST.name} never in loss`);
  });
});
