// Writes an aggregate stage output (src/artifacts/aggregate-output.ts) with realistic curve shapes, for the report tests.
import { mkdir } from 'node:fs/promises';
import { writeAggregateOutput } from '../../src/artifacts/aggregate-output.js';
import { BARRIER_NAMES, type BarrierMeasures, type BarrierName, type BarrierRow, type SeedBarriers, type SettingBarriers } from '../../src/artifacts/barriers.js';
import type { CurvePoint } from '../../src/artifacts/curves.js';
import { spreadOf, type Spread } from '../../src/artifacts/spread.js';

export interface FixtureSetting {
  name: string;
  finalIteration: number;
  checkpoints: number[];
  /** 'convex': MNIST-like bowl from every t; 'cliff': flat near the start value, falls only close to x = 1. */
  shape: 'convex' | 'cliff';
  /** Recorded in barriers.json as the aggregate stage does when its params name it. */
  dataset?: string;
}

export const MNIST: FixtureSetting = {
  name: 'mnist_lenet_300_100',
  finalIteration: 18760,
  checkpoints: [0, 10, 30, 100, 300, 1000, 3000, 18760],
  shape: 'convex',
  dataset: 'mnist',
};

export const CIFAR: FixtureSetting = {
  name: 'cifar_resnet_20',
  finalIteration: 62400,
  checkpoints: [0, 100, 400, 1600, 6400, 25600, 62400],
  shape: 'cliff',
  dataset: 'cifar10',
};

export const linspace = (n: number) => Array.from({ length: n }, (_, i) => i / (n - 1));

/** Loss and error at x on the line from checkpoint t; deterministic, shaped like the paper's curves. */
export function fixtureCurve(setting: FixtureSetting, t: number, x: number): { loss: number; error: number } {
  const progress = Math.min(1, Math.log1p(t) / Math.log1p(setting.finalIteration));
  const finalLoss = setting.shape === 'convex' ? 0.07 : 0.33;
  const finalError = setting.shape === 'convex' ? 0.02 : 0.085;
  const startLoss = finalLoss + (2.303 - finalLoss) * (1 - progress) ** 2;
  const startError = finalError + (0.9 - finalError) * (1 - progress) ** 2;
  // Barrier from checkpoints after initialization: grows early in training, vanishes at T.
  const bump = (t === 0 ? 0 : 0.6 * Math.sin(Math.PI * progress)) * Math.sin(Math.PI * x) ** 2;
  const fall = setting.shape === 'convex' ? 1 - (1 - x) ** 2 : x ** 10;
  return {
    loss: startLoss + (finalLoss - startLoss) * fall + bump,
    error: Math.min(0.9, startError + (finalError - startError) * fall + bump * 0.3),
  };
}

function barriers(values: number[]) {
  const start = values[0]!;
  const end = values.at(-1)!;
  const xs = linspace(values.length);
  const bumps = values.map((value, i) => {
    const leftMin = Math.min(...values.slice(0, i + 1));
    const rightMin = Math.min(...values.slice(i));
    return value - Math.max(leftMin, rightMin);
  });
  return {
    above_start: Math.max(...values) - start,
    above_chord: Math.max(...values.map((v, i) => v - ((1 - xs[i]!) * start + xs[i]! * end))),
    lmc: Math.max(...values) - (start + end) / 2,
    largest_bump: Math.max(...bumps),
  };
}

/** A seed's curve at x from checkpoint t; `index` is the seed's position in the setting's seed list. */
export type SeedCurve = (setting: FixtureSetting, seed: number, index: number, t: number, x: number) => { loss: number; error: number };

/**
 * The default replicates: the first seed is exactly `fixtureCurve`; each further one has a 10% larger barrier from
 * t > 0, and a loss up to 0.03 nats higher mid-path, less the later t (visible as a band from initialization, too small to flip a claim).
 */
export const defaultSeedCurve: SeedCurve = (setting, _seed, index, t, x) => {
  const base = fixtureCurve(setting, t, x);
  if (index === 0) return base;
  const progress = Math.min(1, Math.log1p(t) / Math.log1p(setting.finalIteration));
  const bump = (t === 0 ? 0 : 0.06 * index * Math.sin(Math.PI * progress)) * Math.sin(Math.PI * x) ** 2;
  const lift = 0.03 * index * (1 - progress) * Math.sin(Math.PI * x);
  return { loss: base.loss + bump + lift, error: Math.min(0.9, base.error + (bump + lift) * 0.3) };
};

export interface FixtureOptions {
  /** The seeds every setting ran, ascending (default [0]: one seed, as before seeds were fanned out). */
  seeds?: number[];
  /** Each seed's curves (default `defaultSeedCurve`). */
  curve?: SeedCurve;
}

const spreads = (rows: BarrierMeasures[]): Record<BarrierName, Spread> => Object.fromEntries(BARRIER_NAMES.map((name) => [name, spreadOf(rows.map((r) => r[name]))])) as Record<BarrierName, Spread>;

/** Writes curves.csv, barriers.csv, barrier-spread.csv, barriers.json and metrics.json into `directory`. */
export async function writeAggregateFixture(directory: string, settings: FixtureSetting[] = [MNIST, CIFAR], points = 100, options: FixtureOptions = {}): Promise<void> {
  const { seeds = [0], curve = defaultSeedCurve } = options;
  await mkdir(directory, { recursive: true });
  const curves: CurvePoint[] = [];
  const settingsOut: Record<string, SettingBarriers> = {};
  const metrics: Record<string, Record<string, number>> = {};
  for (const setting of settings) {
    const perSeed: SeedBarriers[] = seeds.map((seed, index) => {
      const rows: BarrierRow[] = [];
      for (const t of setting.checkpoints) {
        const samples = linspace(points).map((x) => ({ x, ...curve(setting, seed, index, t, x) }));
        for (const s of samples) curves.push({ setting: setting.name, seed, iteration: t, x: s.x, test_loss: s.loss, test_error: s.error });
        rows.push({ iteration: t, loss: barriers(samples.map((s) => s.loss)), error: barriers(samples.map((s) => s.error)) });
      }
      const final = curve(setting, seed, index, setting.finalIteration, 1);
      return { seed, final: { test_loss: final.loss, test_error: final.error }, rows };
    });
    const rows = setting.checkpoints.map((iteration, i) => ({
      iteration,
      loss: spreads(perSeed.map((s) => s.rows[i]!.loss)),
      error: spreads(perSeed.map((s) => s.rows[i]!.error)),
    }));
    settingsOut[setting.name] = {
      ...(setting.dataset ? { dataset: setting.dataset } : {}),
      final_iteration: setting.finalIteration,
      seeds: perSeed,
      final: { test_loss: spreadOf(perSeed.map((s) => s.final.test_loss)), test_error: spreadOf(perSeed.map((s) => s.final.test_error)) },
      rows,
    };
    metrics[setting.name] = {
      final_test_error: settingsOut[setting.name]!.final.test_error.mean,
      seeds: seeds.length,
      barrier_loss_it0: rows[0]!.loss.above_start.mean,
      [`barrier_loss_it${setting.checkpoints.at(-1)}`]: rows.at(-1)!.loss.above_start.mean,
    };
  }
  const definitions = {
    above_start: 'max_x L(x) − L(0): the rise above the starting point θ_t; ≥ 0',
    above_chord: 'max_x [L(x) − ((1−x)·L(0) + x·L(1))]: the rise above the straight chord; ≥ 0',
    lmc: 'max_x L(x) − ½(L(0) + L(1)): the linear-mode-connectivity barrier; may be negative',
    largest_bump: 'max_x [L(x) − min_{x′ ≤ x} L(x′)]: the biggest rise anywhere along the path; ≥ 0',
  };
  await writeAggregateOutput(directory, { curves, barriers: { definitions, settings: settingsOut }, metrics });
}

/** A PIPELINE_UPSTREAM file's content for a small run, as the runner writes it (docs/stage-interface.md). */
export function upstreamFixture(aggregateDir: string) {
  const entry = (key: string, outputHash: string, backend: string, device: string) => ({
    key,
    output_hash: outputHash,
    info: { backend, device },
    metrics: {},
    path: aggregateDir,
  });
  return {
    'fetch-data': entry('a1b2c3d4e5f60718293a4b5c6d7e8f90', '11aa22bb33cc44dd55ee66ff77889900', 'none', 'cpu'),
    'train@mnist_lenet_300_100': entry('0123456789abcdef0123456789abcdef', '5e1f5e1f5e1f5e1f5e1f5e1f5e1f5e1f', 'wasm', 'cpu'),
    'sweep@mnist_lenet_300_100@0': entry('fedcba9876543210fedcba9876543210', '3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c', 'wasm', 'cpu'),
    aggregate: entry('00ff00ff00ff00ff00ff00ff00ff00ff', '9b9b9b9b9b9b9b9b9b9b9b9b9b9b9b9b', 'none', 'cpu'),
  };
}

/** The same, with what differs from run to run: the durations and hosts an older runner passed, other cache paths. */
export function runSpecificUpstream(aggregateDir: string, seed: number) {
  return Object.fromEntries(
    Object.entries(upstreamFixture(aggregateDir)).map(([stage, entry], index) => [
      stage,
      { ...entry, path: `/elsewhere/${seed}/${stage}`, duration_s: seed * 10 + index + 0.25, ran_on: { host: `host-${seed}`, executor: 'local', gpus: String(seed) } },
    ]),
  );
}
