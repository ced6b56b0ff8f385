// plane.json and plane.csv: one plane stage's grid of test loss and error over a plane in weight space, read by render.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactError } from './errors.js';
import { formatCsv } from './csv.js';
import { arrayField, asArray, asIteration, asObject, corrupt, fieldName, iterationField, numberField, stringField, type Where } from './fields.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { writeFileAtomic } from './write-atomic.js';

/** `path`: the plane through θ_0, θ_t and θ_T (it holds the paper's paths); `random`: θ_T ± two filter-normalised random directions. */
export type PlaneKind = 'path' | 'random';
export const PLANE_KINDS: readonly PlaneKind[] = ['path', 'random'];

/** One grid point: θ(a, b) = origin + a·u + b·v. */
export interface PlaneCell {
  a: number;
  b: number;
  test_loss: number;
  test_error: number;
}

/** A weight vector on the plane (θ_0, θ_t, θ_T), at its coordinates, evaluated there. */
export interface PlaneAnchor extends PlaneCell {
  name: string; // theta_0 | theta_t | theta_T
  iteration: number;
}

export interface PlaneRecord {
  setting: string;
  /** The fan-out member: a checkpoint iteration t for a `path` plane, or "random". */
  plane: string;
  kind: PlaneKind;
  final_iteration: number;
  /** How the coordinates were made, in words (axes, units, BatchNorm handling). */
  coordinates: string;
  /** Seed of the random directions (random planes only). */
  seed?: number;
  /** Grid values of a and b, ascending; rows hold every (a, b), b outer. */
  a: number[];
  b: number[];
  anchors: PlaneAnchor[];
  rows: PlaneCell[];
  method: string;
  backend: string;
}

export const PLANE_CSV = 'plane.csv';
export const PLANE_JSON = 'plane.json';

const cell = (p: PlaneCell): PlaneCell => ({ a: p.a, b: p.b, test_loss: p.test_loss, test_error: p.test_error });

/** Writes plane.csv (a, b, test_loss, test_error), then plane.json. */
export async function writePlaneOutput(dir: string, r: PlaneRecord): Promise<void> {
  await writeFileAtomic(join(dir, PLANE_CSV), formatCsv(['a', 'b', 'test_loss', 'test_error'], r.rows));
  await writeJsonFile(join(dir, PLANE_JSON), {
    setting: r.setting,
    plane: r.plane,
    kind: r.kind,
    final_iteration: r.final_iteration,
    coordinates: r.coordinates,
    ...(r.seed === undefined ? {} : { seed: r.seed }),
    a: r.a,
    b: r.b,
    anchors: r.anchors.map((p) => ({ name: p.name, iteration: p.iteration, ...cell(p) })),
    rows: r.rows.map(cell),
    method: r.method,
    backend: r.backend,
  });
}

function readCell(value: unknown, where: Where, field: string): PlaneCell {
  const row = asObject(value, where, field);
  return {
    a: numberField(row, 'a', where, field),
    b: numberField(row, 'b', where, field),
    test_loss: numberField(row, 'test_loss', where, field),
    test_error: numberField(row, 'test_error', where, field),
  };
}

function ascending(values: unknown[], where: Where, field: string): number[] {
  const numbers = values.map((value, i) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw corrupt(where, fieldName(field, i), `is ${JSON.stringify(value)}, expected a number`);
    return value;
  });
  if (numbers.length < 2) throw corrupt(where, field, `has ${numbers.length} values, expected at least 2`);
  numbers.forEach((value, i) => {
    if (i > 0 && !(value > numbers[i - 1])) throw corrupt(where, fieldName(field, i), `is ${value} after ${numbers[i - 1]}, expected ascending values`);
  });
  return numbers;
}

/** Reads `dir`/plane.json (plane.csv holds the same rows, for people and spreadsheets), checking the grid is complete. */
export async function readPlaneRecord(dir: string): Promise<PlaneRecord> {
  const file = join(dir, PLANE_JSON);
  const where: Where = {
    file,
    shape:
      '{ setting, plane, kind, final_iteration, coordinates, seed?, a: [..], b: [..], anchors: [{ name, iteration, a, b, test_loss, test_error }], rows: [{ a, b, test_loss, test_error }], method, backend }',
  };
  const r = asObject(await readJsonFile(file, { what: 'the plane' }), where);
  const kind = stringField(r, 'kind', where);
  if (!PLANE_KINDS.includes(kind as PlaneKind)) throw corrupt(where, 'kind', `is ${JSON.stringify(kind)}, expected one of ${PLANE_KINDS.join(', ')}`);
  const a = ascending(arrayField(r, 'a', where), where, 'a');
  const b = ascending(arrayField(r, 'b', where), where, 'b');
  const rows = asArray(r.rows, where, 'rows').map((value, i) => readCell(value, where, fieldName('rows', i)));
  if (rows.length !== a.length * b.length) throw corrupt(where, 'rows', `has ${rows.length} rows, but the grid is ${a.length} × ${b.length}`);
  rows.forEach((row, k) => {
    // b outer, a inner: the figure and the contour tracing rely on the order.
    if (row.a !== a[k % a.length] || row.b !== b[Math.floor(k / a.length)])
      throw corrupt(where, fieldName('rows', k), `is at (${row.a}, ${row.b}), expected (${a[k % a.length]}, ${b[Math.floor(k / a.length)]}): rows go b outer, a inner`);
  });
  const anchors = asArray(r.anchors, where, 'anchors').map((value, i) => {
    const field = fieldName('anchors', i);
    const anchor = asObject(value, where, field);
    return { name: stringField(anchor, 'name', where, field), iteration: iterationField(anchor, 'iteration', where, field), ...readCell(value, where, field) };
  });
  return {
    setting: stringField(r, 'setting', where),
    plane: stringField(r, 'plane', where),
    kind: kind as PlaneKind,
    final_iteration: iterationField(r, 'final_iteration', where),
    coordinates: stringField(r, 'coordinates', where),
    ...(r.seed === undefined ? {} : { seed: asIteration(r.seed, where, 'seed') }),
    a,
    b,
    anchors,
    rows,
    method: stringField(r, 'method', where),
    backend: stringField(r, 'backend', where),
  };
}

/**
 * Every plane.json of the plane fan-out group (one folder per member, `${in.plane}`), or of a single plane output,
 * in member order. An empty group (params.planes: {}, planes switched off) gives none.
 */
export async function readPlaneGroup(dir: string): Promise<PlaneRecord[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new ArtifactError('missing-input', dir, `${dir}: cannot read the plane outputs (${(cause as NodeJS.ErrnoException).code ?? cause})`, { cause });
  }
  if (names.includes(PLANE_JSON)) return [await readPlaneRecord(dir)];
  const members = names.filter((name) => !name.startsWith('.')).sort();
  return Promise.all(members.map((name) => readPlaneRecord(join(dir, name))));
}
