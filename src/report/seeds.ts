// A setting's seeds as the report reads them: curves averaged point by point, and one view of the numbers per seed
// and one of their mean, so every figure, sentence and claim is computed the same way on each.
import type { AggregateData } from '../artifacts/aggregate-output.js';
import type { BarrierMeasures, BarrierName, BarrierRow } from '../artifacts/barriers.js';
import type { CurvePoint } from '../artifacts/curves.js';
import { spreadOf, type Spread } from '../artifacts/spread.js';
import { ReportError } from './errors.js';

/** A point of a curve averaged over a setting's seeds: the mean, min and max of each quantity at one x. */
export interface MeanCurvePoint {
  setting: string;
  iteration: number;
  x: number;
  /** How many seeds the point averages. */
  seeds: number;
  test_loss: number;
  test_loss_min: number;
  test_loss_max: number;
  test_error: number;
  test_error_min: number;
  test_error_max: number;
}

/** The columns of a figure CSV drawn from mean curves. */
export const MEAN_CURVE_COLUMNS = ['setting', 'iteration', 'x', 'seeds', 'test_loss', 'test_loss_min', 'test_loss_max', 'test_error', 'test_error_min', 'test_error_max'] as const;

/** One curve, sorted by x: what every sentence and claim reads, whether from one seed or the mean over seeds. */
export type Curve = ReadonlyArray<Pick<CurvePoint, 'x' | 'test_loss' | 'test_error'>>;

/** A setting's numbers as one seed, or the mean over its seeds, has them. */
export interface SettingView {
  setting: string;
  /** The seed, or null for the mean over the setting's seeds. */
  seed: number | null;
  final_iteration: number;
  /** Barriers per swept checkpoint, ascending in t (for the mean view, each measure's mean over seeds). */
  rows: BarrierRow[];
  /** The checkpoints with a curve, ascending. */
  iterations: number[];
  /** The curve from checkpoint t, sorted by x; empty when t was not swept. */
  curve(iteration: number): Curve;
}

/**
 * Points of `data.curves` by setting, then seed, then iteration, each list sorted by x; built once per curves array
 * (render reads the aggregate output once and never changes it; a caller that edits curves passes a new array).
 */
type CurveIndex = Map<string, Map<number, Map<number, CurvePoint[]>>>;
const indexes = new WeakMap<readonly CurvePoint[], CurveIndex>();

function curveIndex(data: AggregateData): CurveIndex {
  let index = indexes.get(data.curves);
  if (index) return index;
  index = new Map();
  for (const point of data.curves) {
    const bySeed = index.get(point.setting) ?? index.set(point.setting, new Map()).get(point.setting)!;
    const byIteration = bySeed.get(point.seed) ?? bySeed.set(point.seed, new Map()).get(point.seed)!;
    const points = byIteration.get(point.iteration) ?? byIteration.set(point.iteration, []).get(point.iteration)!;
    points.push(point);
  }
  for (const bySeed of index.values()) for (const byIteration of bySeed.values()) for (const points of byIteration.values()) points.sort((a, b) => a.x - b.x);
  indexes.set(data.curves, index);
  return index;
}

/** How many seeds a setting ran (its barriers.json entry). */
export function seedCount(data: AggregateData, setting: string): number {
  return data.settings[setting]?.seeds.length ?? 0;
}

/** The largest number of seeds any setting ran: 1 when the report shows no spread at all. */
export function maxSeeds(data: AggregateData): number {
  return Math.max(1, ...Object.keys(data.settings).map((setting) => seedCount(data, setting)));
}

/** Every checkpoint with a curve for `setting`, over all its seeds, ascending. */
export function curveIterations(data: AggregateData, setting: string): number[] {
  const bySeed = curveIndex(data).get(setting);
  if (!bySeed) return [];
  return [...new Set([...bySeed.values()].flatMap((byIteration) => [...byIteration.keys()]))].sort((a, b) => a - b);
}

// x grids written by the same sweep code agree exactly; the slack only forgives a CSV round trip of a computed x.
const sameX = (a: number, b: number) => Math.abs(a - b) <= 1e-9;

/**
 * The curve from checkpoint `iteration` averaged over the setting's seeds point by point (empty when none swept it).
 * Every seed with curves for the setting must have swept it on the same x grid: otherwise a ReportError names the setting.
 */
export function meanCurve(data: AggregateData, setting: string, iteration: number): MeanCurvePoint[] {
  const bySeed = curveIndex(data).get(setting);
  if (!bySeed) return [];
  const curves = [...bySeed.entries()].sort(([a], [b]) => a - b).map(([seed, byIteration]) => ({ seed, points: byIteration.get(iteration) ?? [] }));
  if (curves.every((c) => c.points.length === 0)) return [];
  const [first, ...others] = curves;
  for (const other of others) {
    const mismatch =
      other.points.length !== first!.points.length
        ? `seed ${first!.seed} has ${first!.points.length} points, seed ${other.seed} ${other.points.length}`
        : other.points.findIndex((p, i) => !sameX(p.x, first!.points[i]!.x));
    if (typeof mismatch === 'string' || mismatch >= 0) {
      const detail =
        typeof mismatch === 'string' ? mismatch : `point ${mismatch} is at x = ${first!.points[mismatch]!.x} for seed ${first!.seed}, x = ${other.points[mismatch]!.x} for seed ${other.seed}`;
      throw new ReportError('corrupt-input', `${setting}: the seeds' curves from t = ${iteration} are not sampled at the same x (${detail}); they cannot be averaged point by point`);
    }
  }
  const n = curves.length;
  return first!.points.map((point, i) => {
    const at = curves.map((c) => c.points[i]!);
    const loss = spreadOf(at.map((p) => p.test_loss));
    const error = spreadOf(at.map((p) => p.test_error));
    return {
      setting,
      iteration,
      x: point.x,
      seeds: n,
      test_loss: loss.mean,
      test_loss_min: loss.min,
      test_loss_max: loss.max,
      test_error: error.mean,
      test_error_min: error.min,
      test_error_max: error.max,
    };
  });
}

const means = (m: Record<BarrierName, Spread>): BarrierMeasures => ({
  above_start: m.above_start.mean,
  above_chord: m.above_chord.mean,
  lmc: m.lmc.mean,
  largest_bump: m.largest_bump.mean,
});

/** The setting's numbers averaged over its seeds: barrier means (barriers.json) and the mean curves. */
export function meanView(data: AggregateData, setting: string): SettingView {
  const s = data.settings[setting]!;
  return {
    setting,
    seed: null,
    final_iteration: s.final_iteration,
    rows: [...s.rows].sort((a, b) => a.iteration - b.iteration).map((row) => ({ iteration: row.iteration, loss: means(row.loss), error: means(row.error) })),
    iterations: curveIterations(data, setting),
    curve: (iteration) => meanCurve(data, setting, iteration),
  };
}

/** One view per seed of the setting, in barriers.json's (ascending) seed order. */
export function seedViews(data: AggregateData, setting: string): SettingView[] {
  const s = data.settings[setting]!;
  const bySeed = curveIndex(data).get(setting);
  return s.seeds.map((seed) => {
    const byIteration = bySeed?.get(seed.seed);
    return {
      setting,
      seed: seed.seed,
      final_iteration: s.final_iteration,
      rows: [...seed.rows].sort((a, b) => a.iteration - b.iteration),
      iterations: [...(byIteration?.keys() ?? [])].sort((a, b) => a - b),
      curve: (iteration) => byIteration?.get(iteration) ?? [],
    };
  });
}

/** How many of a setting's seeds share the verdict on the mean. */
export interface SeedAgreement {
  holding: number;
  of: number;
}

/**
 * What a sentence adds about seeds: nothing for one seed; "for every seed" when all agree with the mean's verdict;
 * otherwise "on average only (k of n seeds)", and `others` (e.g. what the other seeds show) when given.
 */
export function seedClause(agreement: SeedAgreement, others?: string): string {
  if (agreement.of <= 1) return '';
  if (agreement.holding === agreement.of) return 'for every seed';
  return `on average only (${agreement.holding} of ${agreement.of} seeds${others ? `; ${others}` : ''})`;
}

/** The seeds that disagree, those showing the same grouped: "seed 4 at x = 0.30", "seeds 1, 2 and 3 at t = 100 in loss". */
export function disagreeing(entries: ReadonlyArray<{ seed: number; shows: string }>, separator = ' '): string {
  const groups = new Map<string, number[]>();
  for (const { seed, shows } of entries) groups.set(shows, [...(groups.get(shows) ?? []), seed]);
  return [...groups.entries()]
    .map(([shows, seeds]) => {
      const names = seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${seeds.slice(0, -1).join(', ')} and ${seeds.at(-1)}`;
      return `${names}${separator}${shows}`;
    })
    .join('; ');
}
