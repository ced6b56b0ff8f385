// sweep.csv and sweep.json: one sweep stage's curve from checkpoint θ_t to θ_T (or between two runs' checkpoints), read by the aggregate stages.
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
  /** The seed of the run the line starts from (the setting's replicate; a child's data-order seed). */
  seed: number;
  /** The checkpoint iteration at x = 0. */
  iteration: number;
  /** The checkpoint iteration at x = 1. */
  final_iteration: number;
  points: number;
  bn_mode: string;
  backend: string;
  rows: SweepPoint[];
  /** Which runs the ends come from; only when they are not θ_t and θ_T of one run (e.g. two children of the instability analysis). */
  endpoints?: { start: SweepEndpointInfo; end: SweepEndpointInfo };
}

/** One end of a sweep: a run's checkpoint, and where that run branched from its parent when it is a child. */
export interface SweepEndpointInfo {
  seed: number;
  iteration: number;
  branched_from?: { iteration: number; parent_seed: number };
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
    seed: r.seed,
    iteration: r.iteration,
    final_iteration: r.final_iteration,
    points: r.points,
    bn_mode: r.bn_mode,
    backend: r.backend,
    rows: r.rows.map(orderedPoint),
    // Only for sweeps between two runs: a checkpoint → final sweep keeps its bytes.
    ...(r.endpoints ? { endpoints: { start: orderedEndpoint(r.endpoints.start), end: orderedEndpoint(r.endpoints.end) } } : {}),
  });
}

function orderedEndpoint(e: SweepEndpointInfo): SweepEndpointInfo {
  return { seed: e.seed, iteration: e.iteration, ...(e.branched_from ? { branched_from: { iteration: e.branched_from.iteration, parent_seed: e.branched_from.parent_seed } } : {}) };
}

function readEndpoint(r: Record<string, unknown>, key: 'start' | 'end', where: Where): SweepEndpointInfo {
  const field = fieldName('endpoints', key);
  const e = asObject(r[key], where, field);
  const endpoint: SweepEndpointInfo = { seed: numberField(e, 'seed', where, field), iteration: iterationField(e, 'iteration', where, field) };
  if (e.branched_from !== undefined) {
    const inner = fieldName(field, 'branched_from');
    const b = asObject(e.branched_from, where, inner);
    endpoint.branched_from = { iteration: iterationField(b, 'iteration', where, inner), parent_seed: numberField(b, 'parent_seed', where, inner) };
  }
  return endpoint;
}

/** Reads `dir`/sweep.json (sweep.csv holds the same rows, for people and spreadsheets). */
export async function readSweepRecord(dir: string): Promise<SweepRecord> {
  const file = join(dir, SWEEP_JSON);
  const where: Where = {
    file,
    shape:
      '{ setting, seed, iteration, final_iteration, rows: [{ x, test_loss, test_error, train_loss? }], points, bn_mode, backend, endpoints?: { start, end: { seed, iteration, branched_from? } } }',
  };
  const r = asObject(await readJsonFile(file, { what: 'the sweep' }), where);
  const setting = stringField(r, 'setting', where);
  const seed = numberField(r, 'seed', where);
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
  const record: SweepRecord = {
    setting,
    seed,
    iteration,
    final_iteration: finalIteration,
    points: points as number,
    bn_mode: stringField(r, 'bn_mode', where),
    backend: stringField(r, 'backend', where),
    rows,
  };
  if (r.endpoints !== undefined) {
    const endpoints = asObject(r.endpoints, where, 'endpoints');
    record.endpoints = { start: readEndpoint(endpoints, 'start', where), end: readEndpoint(endpoints, 'end', where) };
  }
  return record;
}
