// Turns sweep curves and training summaries into the aggregate stage's output (src/artifacts/aggregate-output.ts).
import type { AggregateOutput } from '../../artifacts/aggregate-output.js';
import type { BarrierRow, SettingBarriers } from '../../artifacts/barriers.js';
import { BARRIER_DEFINITIONS, barrierMeasures } from './barriers.js';
import { BarrierError } from './errors.js';
import type { SweepCurve, TrainSummary } from './inputs.js';

/** `datasets`: each setting's dataset, from the recipes (the stage's params); settings missing from it record none. */
export function aggregate(sweeps: readonly SweepCurve[], trains: ReadonlyMap<string, TrainSummary>, datasets: ReadonlyMap<string, string> = new Map()): AggregateOutput {
  const ordered = [...sweeps].sort((a, b) => (a.setting < b.setting ? -1 : a.setting > b.setting ? 1 : a.iteration - b.iteration));
  const settings: Record<string, SettingBarriers> = {};
  ordered.forEach((sweep, i) => {
    const previous = ordered[i - 1];
    if (previous && previous.setting === sweep.setting && previous.iteration === sweep.iteration) {
      throw new BarrierError('input-mismatch', `${sweep.source}: ${sweep.setting} at iteration ${sweep.iteration} is also in ${previous.source}`);
    }
    const train = trains.get(sweep.setting);
    if (!train) throw new BarrierError('input-missing', `${sweep.source}: no train output for setting ${sweep.setting}`);
    if (train.final_iteration !== sweep.final_iteration) {
      throw new BarrierError('input-mismatch', `${sweep.source}: swept towards iteration ${sweep.final_iteration}, but ${train.source} ends at ${train.final_iteration}`);
    }
    const where = `${sweep.source} (${sweep.setting}@${sweep.iteration})`;
    const xs = sweep.rows.map((r) => r.x);
    const row: BarrierRow = {
      iteration: sweep.iteration,
      loss: barrierMeasures(
        xs,
        sweep.rows.map((r) => r.test_loss),
        `${where} test_loss`,
      ),
      error: barrierMeasures(
        xs,
        sweep.rows.map((r) => r.test_error),
        `${where} test_error`,
      ),
    };
    const dataset = datasets.get(sweep.setting);
    settings[sweep.setting] ??= { ...(dataset === undefined ? {} : { dataset }), final_iteration: train.final_iteration, final: finalResult(train, ordered), rows: [] };
    settings[sweep.setting]!.rows.push(row);
  });
  return {
    curves: ordered.flatMap((s) => s.rows.map((r) => ({ setting: s.setting, iteration: s.iteration, x: r.x, test_loss: r.test_loss, test_error: r.test_error }))),
    barriers: { definitions: { ...BARRIER_DEFINITIONS }, settings },
    metrics: metrics(settings),
  };
}

/**
 * Per setting: final test loss/error and the headline barrier (rise above the start) for loss and error
 * at the first swept iteration and at the last one before the end of training (the end itself is a flat line).
 */
function metrics(settings: Record<string, SettingBarriers>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [setting, s] of Object.entries(settings)) {
    const m: Record<string, number> = { final_test_loss: s.final.test_loss, final_test_error: s.final.test_error, checkpoints_swept: s.rows.length };
    const beforeEnd = s.rows.filter((r) => r.iteration < s.final_iteration);
    const picks = new Set([s.rows[0]!, beforeEnd.at(-1) ?? s.rows.at(-1)!]);
    for (const row of picks) {
      m[`barrier_loss_it${row.iteration}`] = row.loss.above_start;
      m[`barrier_error_it${row.iteration}`] = row.error.above_start;
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
  const last = sweeps.find((s) => s.setting === train.setting && s.iteration === train.final_iteration);
  if (!last) {
    throw new BarrierError('input-missing', `${train.source}: has no final evaluation (final: null), and no sweep of the final checkpoint (iteration ${train.final_iteration}) to take it from`);
  }
  return { test_loss: last.rows[0].test_loss, test_error: last.rows[0].test_error };
}
