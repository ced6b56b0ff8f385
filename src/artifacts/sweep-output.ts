// sweep.csv and sweep.json: one sweep stage's curve from checkpoint θ_t to θ_T, read by the aggregate stage.
import { join } from 'node:path';
import { formatCsv } from './csv.js';
import { asArray, asObject, corrupt, fieldName, iterationField, numberField, stringField, type Where } from './fields.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { writeFileAtomic } from './write-atomic.js';

/** One point of a sweep: x = linspace(0, 1, points)[k] on θ(x) = (1−x)·θ_t + x·θ_T. */
export interface SweepPoint {
  x: number;
  test_loss: number;
  /** 1 − top-1 accuracy. */
  test_error: number;
  /** Only when the sweep was asked for the training-set loss. */
  train_loss?: number;
}

export interface SweepRecord {
  setting: string;
  iteration: number;
  final_iteration: number;
  points: number;
  bn_mode: string;
  backend: string;
  rows: SweepPoint[];
}

export const SWEEP_CSV = 'sweep.csv';
export const SWEEP_JSON = 'sweep.json';

function orderedPoint(p: SweepPoint): SweepPoint {
  return { x: p.x, test_loss: p.test_loss, test_error: p.test_error, ...(p.train_loss === undefined ? {} : { train_loss: p.train_loss }) };
}

/** Writes sweep.csv (a train_loss column when the rows carry it), then sweep.json. */
export async function writeSweepOutput(dir: string, r: SweepRecord): Promise<void> {
  const columns = ['x', 'test_loss', 'test_error', ...(r.rows[0]?.train_loss === undefined ? [] : ['train_loss'])];
  await writeFileAtomic(join(dir, SWEEP_CSV), formatCsv(columns, r.rows));
  await writeJsonFile(join(dir, SWEEP_JSON), {
    setting: r.setting,
    iteration: r.iteration,
    final_iteration: r.final_iteration,
    points: r.points,
    bn_mode: r.bn_mode,
    backend: r.backend,
    rows: r.rows.map(orderedPoint),
  });
}

/** Reads `dir`/sweep.json (sweep.csv holds the same rows, for people and spreadsheets). */
export async function readSweepRecord(dir: string): Promise<SweepRecord> {
  const file = join(dir, SWEEP_JSON);
  const where: Where = { file, shape: '{ setting, iteration, final_iteration, rows: [{ x, test_loss, test_error, train_loss? }], points, bn_mode, backend }' };
  const r = asObject(await readJsonFile(file, { what: 'the sweep' }), where);
  const setting = stringField(r, 'setting', where);
  const iteration = iterationField(r, 'iteration', where);
  const finalIteration = iterationField(r, 'final_iteration', where);
  const rows = asArray(r.rows, where, 'rows').map((value, i) => {
    const field = fieldName('rows', i);
    const row = asObject(value, where, field);
    const point: SweepPoint = { x: numberField(row, 'x', where, field), test_loss: numberField(row, 'test_loss', where, field), test_error: numberField(row, 'test_error', where, field) };
    if (row.train_loss !== undefined) point.train_loss = numberField(row, 'train_loss', where, field);
    return point;
  });
  const points = r.points;
  if (!Number.isInteger(points) || (points as number) < 1) throw corrupt(where, 'points', `is ${JSON.stringify(points) ?? 'missing'}, expected a positive integer`);
  if (rows.length !== points) throw corrupt(where, 'rows', `has ${rows.length} rows, but points is ${points}`);
  return { setting, iteration, final_iteration: finalIteration, points: points as number, bn_mode: stringField(r, 'bn_mode', where), backend: stringField(r, 'backend', where), rows };
}
