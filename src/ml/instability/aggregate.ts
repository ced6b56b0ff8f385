// Turns the sweeps between children (sweep.json with endpoints) into the instability analysis (src/artifacts/instability.ts).
import type { InstabilityDocument, InstabilityRow, SettingInstability } from '../../artifacts/instability.js';
import { BarrierError } from '../barriers/errors.js';
import { perQuantity, type SweepCurve } from '../barriers/inputs.js';
import { INSTABILITY_DEFINITIONS, instabilityOf, stabilityPoint } from './instability.js';

export interface InstabilityThresholds {
  loss: number;
  error: number;
}

/** The branch iteration of a child↔child sweep, checked: both ends children of one parent checkpoint, with different seeds. */
function branchIteration(sweep: SweepCurve): { iteration: number; seeds: [number, number] } {
  const ends = sweep.endpoints;
  const a = ends?.start.branched_from;
  const b = ends?.end.branched_from;
  if (!ends || !a || !b) throw new BarrierError('input-mismatch', `${sweep.source}: not a sweep between two children (sweep.json has no endpoints with branched_from)`);
  if (a.iteration !== b.iteration || a.parent_seed !== b.parent_seed) {
    throw new BarrierError(
      'input-mismatch',
      `${sweep.source}: its ends branched from different parent checkpoints (t = ${a.iteration} seed ${a.parent_seed}, t = ${b.iteration} seed ${b.parent_seed})`,
    );
  }
  if (ends.start.seed === ends.end.seed) {
    throw new BarrierError('input-mismatch', `${sweep.source}: both children have data-order seed ${ends.start.seed}: they are the same run, so their instability is 0 by construction`);
  }
  return { iteration: a.iteration, seeds: [ends.start.seed, ends.end.seed] };
}

export function aggregateInstability(sweeps: readonly SweepCurve[], thresholds: InstabilityThresholds): { document: InstabilityDocument; metrics: Record<string, Record<string, number>> } {
  const settings: Record<string, SettingInstability> = {};
  const seen = new Map<string, string>();
  const branched = sweeps.map((sweep) => ({ sweep, ...branchIteration(sweep) }));
  branched.sort((p, q) => (p.sweep.setting < q.sweep.setting ? -1 : p.sweep.setting > q.sweep.setting ? 1 : p.iteration - q.iteration));
  for (const { sweep, iteration, seeds } of branched) {
    const id = `${sweep.setting}@${iteration}`;
    const earlier = seen.get(id);
    if (earlier) throw new BarrierError('input-mismatch', `${sweep.source}: ${sweep.setting} branched at t = ${iteration} is also in ${earlier}`);
    seen.set(id, sweep.source);
    const row: InstabilityRow = { iteration, seeds, points: sweep.points, ...perQuantity(sweep, `${sweep.source} (${id})`, instabilityOf) };
    const setting = (settings[sweep.setting] ??= { final_iteration: sweep.final_iteration, stability_point: { loss: null, error: null }, rows: [] });
    if (setting.final_iteration !== sweep.final_iteration) {
      throw new BarrierError('input-mismatch', `${sweep.source}: its children end at ${sweep.final_iteration}, ${sweep.setting}'s others at ${setting.final_iteration}`);
    }
    setting.rows.push(row);
  }
  for (const s of Object.values(settings)) {
    s.stability_point = {
      loss: stabilityPoint(
        s.rows.map((r) => ({ iteration: r.iteration, instability: r.loss.instability })),
        thresholds.loss,
      ),
      error: stabilityPoint(
        s.rows.map((r) => ({ iteration: r.iteration, instability: r.error.instability })),
        thresholds.error,
      ),
    };
  }
  return { document: { definitions: { ...INSTABILITY_DEFINITIONS }, thresholds: { ...thresholds }, settings }, metrics: metrics(settings) };
}

/** Per setting: the error and loss instability at every t, and the stability points that exist (the lock holds numbers only). */
function metrics(settings: Record<string, SettingInstability>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [setting, s] of Object.entries(settings)) {
    const m: Record<string, number> = {};
    for (const row of s.rows) {
      m[`error_instability_it${row.iteration}`] = row.error.instability;
      m[`loss_instability_it${row.iteration}`] = row.loss.instability;
    }
    if (s.stability_point.error !== null) m.error_stability_point = s.stability_point.error;
    if (s.stability_point.loss !== null) m.loss_stability_point = s.stability_point.loss;
    out[setting] = m;
  }
  return out;
}
