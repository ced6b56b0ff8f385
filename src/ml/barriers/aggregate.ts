// Turns sweep curves and training summaries into the aggregate stage's output (src/artifacts/aggregate-output.ts).
import type { AggregateOutput } from '../../artifacts/aggregate-output.js';
import { BARRIER_NAMES, type BarrierMeasures, type BarrierName, type BarrierRow, type BarrierSpreadRow, type SeedBarriers, type SettingBarriers } from '../../artifacts/barriers.js';
import { spreadOf, type Spread } from '../../artifacts/spread.js';
import { BARRIER_DEFINITIONS, barrierMeasures } from './barriers.js';
import { BarrierError } from './errors.js';
import { perQuantity, runName, type SweepCurve, type TrainSummary } from './inputs.js';

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `trains` by `runName(setting, seed)`; `datasets`: each setting's dataset, from the recipes (the stage's params);
 * settings missing from it record none. Every seed of a setting must have swept the same checkpoints towards the
 * same final iteration: the summary across seeds is taken checkpoint by checkpoint.
 */
export function aggregate(sweeps: readonly SweepCurve[], trains: ReadonlyMap<string, TrainSummary>, datasets: ReadonlyMap<string, string> = new Map()): AggregateOutput {
  const ordered = [...sweeps].sort((a, b) => compareText(a.setting, b.setting) || a.seed - b.seed || a.iteration - b.iteration);
  const runs = new Map<string, { setting: string; train: TrainSummary; seed: SeedBarriers }>();
  ordered.forEach((sweep, i) => {
    const previous = ordered[i - 1];
    const run = runName(sweep.setting, sweep.seed);
    if (previous && previous.setting === sweep.setting && previous.seed === sweep.seed && previous.iteration === sweep.iteration) {
      throw new BarrierError('input-mismatch', `${sweep.source}: ${run} at iteration ${sweep.iteration} is also in ${previous.source}`);
    }
    const train = trains.get(run);
    if (!train) throw new BarrierError('input-missing', `${sweep.source}: no train output for ${run}`);
    if (train.final_iteration !== sweep.final_iteration) {
      throw new BarrierError('input-mismatch', `${sweep.source}: swept towards iteration ${sweep.final_iteration}, but ${train.source} ends at ${train.final_iteration}`);
    }
    const row: BarrierRow = { iteration: sweep.iteration, ...perQuantity(sweep, `${sweep.source} (${sweep.setting}@${sweep.seed}@${sweep.iteration})`, barrierMeasures) };
    if (!runs.has(run)) runs.set(run, { setting: sweep.setting, train, seed: { seed: sweep.seed, final: finalResult(train, ordered), rows: [] } });
    runs.get(run)!.seed.rows.push(row);
  });
  // Runs are in setting, then seed order: each setting's first run is the one its others are checked against.
  const bySetting = new Map<string, { finalIteration: number; seeds: SeedBarriers[] }>();
  for (const { setting, train, seed } of runs.values()) {
    const group = bySetting.get(setting);
    if (!group) {
      bySetting.set(setting, { finalIteration: train.final_iteration, seeds: [seed] });
      continue;
    }
    sameCheckpoints(setting, group.seeds[0]!, seed, train, group.finalIteration);
    group.seeds.push(seed);
  }
  const settings: Record<string, SettingBarriers> = {};
  for (const [setting, { finalIteration, seeds }] of bySetting) {
    const dataset = datasets.get(setting);
    settings[setting] = { ...(dataset === undefined ? {} : { dataset }), final_iteration: finalIteration, seeds, ...summary(seeds) };
  }
  return {
    curves: ordered.flatMap((s) => s.rows.map((r) => ({ setting: s.setting, seed: s.seed, iteration: s.iteration, x: r.x, test_loss: r.test_loss, test_error: r.test_error }))),
    barriers: { definitions: { ...BARRIER_DEFINITIONS }, settings },
    metrics: metrics(settings),
  };
}

/** Seeds of one setting are compared checkpoint by checkpoint: they must share the swept iterations and the final one. */
function sameCheckpoints(setting: string, first: SeedBarriers, other: SeedBarriers, train: TrainSummary, finalIteration: number): void {
  if (train.final_iteration !== finalIteration) {
    throw new BarrierError('input-mismatch', `${train.source}: ${runName(setting, other.seed)} ends at iteration ${train.final_iteration}, seed ${first.seed} at ${finalIteration}`);
  }
  const iterations = (s: SeedBarriers) => s.rows.map((r) => r.iteration).join(', ');
  if (iterations(first) !== iterations(other)) {
    throw new BarrierError(
      'input-mismatch',
      `${setting}: seed ${other.seed} swept checkpoints [${iterations(other)}], seed ${first.seed} [${iterations(first)}]; every seed of a setting must sweep the same ones`,
    );
  }
}

/** The spread across seeds of the final result and of every barrier measure, checkpoint by checkpoint. */
function summary(seeds: readonly SeedBarriers[]): Pick<SettingBarriers, 'final' | 'rows'> {
  const measures = (pick: (row: BarrierRow) => BarrierMeasures, i: number): Record<BarrierName, Spread> =>
    Object.fromEntries(BARRIER_NAMES.map((name) => [name, spreadOf(seeds.map((s) => pick(s.rows[i]!)[name]))])) as Record<BarrierName, Spread>;
  const rows: BarrierSpreadRow[] = seeds[0]!.rows.map((row, i) => ({
    iteration: row.iteration,
    loss: measures((r) => r.loss, i),
    error: measures((r) => r.error, i),
  }));
  return {
    final: { test_loss: spreadOf(seeds.map((s) => s.final.test_loss)), test_error: spreadOf(seeds.map((s) => s.final.test_error)) },
    rows,
  };
}

/**
 * Per setting, as means over its seeds: final test loss/error and the headline barrier (rise above the start) for loss
 * and error at the first swept iteration and at the last one before the end of training (the end itself is a flat
 * line); and how many seeds ran.
 */
function metrics(settings: Record<string, SettingBarriers>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [setting, s] of Object.entries(settings)) {
    const m: Record<string, number> = { final_test_loss: s.final.test_loss.mean, final_test_error: s.final.test_error.mean, checkpoints_swept: s.rows.length, seeds: s.seeds.length };
    const beforeEnd = s.rows.filter((r) => r.iteration < s.final_iteration);
    const picks = new Set([s.rows[0]!, beforeEnd.at(-1) ?? s.rows.at(-1)!]);
    for (const row of picks) {
      m[`barrier_loss_it${row.iteration}`] = row.loss.above_start.mean;
      m[`barrier_error_it${row.iteration}`] = row.error.above_start.mean;
    }
    out[setting] = m;
  }
  return out;
}

/**
 * The final weights' test loss and error: from train.json, or, where its producer did not evaluate them (final: null,
 * e.g. checkpoints trained elsewhere), from the sweep of the final checkpoint, which is that network at every x.
 */
function finalResult(train: TrainSummary, sweeps: readonly SweepCurve[]): { test_loss: number; test_error: number } {
  if (train.final) return { test_loss: train.final.test_loss, test_error: 1 - train.final.test_accuracy };
  const last = sweeps.find((s) => s.setting === train.setting && s.seed === train.seed && s.iteration === train.final_iteration);
  if (!last) {
    throw new BarrierError('input-missing', `${train.source}: has no final evaluation (final: null), and no sweep of the final checkpoint (iteration ${train.final_iteration}) to take it from`);
  }
  return { test_loss: last.rows[0].test_loss, test_error: last.rows[0].test_error };
}
