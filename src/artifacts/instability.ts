// instability.csv and instability.json: the instability analysis (Frankle et al. 2020) by setting and branch iteration t;
// render reads instability.json.
import { join } from 'node:path';
import { formatCsv } from './csv.js';
import { ArtifactError } from './errors.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { schemaViolation } from './json-schema.js';
import { writeFileAtomic } from './write-atomic.js';

/** One quantity (test loss or test error) on the line between the two children's final weights. */
export interface InstabilityMeasure {
  /** max_x L(x) − ½(L(0) + L(1)). */
  instability: number;
  max: number;
  /** L(0): child A's final weights. */
  start: number;
  /** L(1): child B's final weights. */
  end: number;
}

export interface InstabilityRow {
  /** The parent's checkpoint both children started from. */
  iteration: number;
  /** The two children's data-order seeds: x = 0, x = 1. */
  seeds: [number, number];
  points: number;
  loss: InstabilityMeasure;
  error: InstabilityMeasure;
}

export interface SettingInstability {
  final_iteration: number;
  /** The first t from which the instability stays at or below the threshold; null when it never does. */
  stability_point: { loss: number | null; error: number | null };
  /** By t ascending. */
  rows: InstabilityRow[];
}

export interface InstabilityDocument {
  /** The definitions in words, so the numbers can be read without this code. */
  definitions: { instability: string; stability_point: string };
  thresholds: { loss: number; error: number };
  settings: Record<string, SettingInstability>;
}

export const INSTABILITY_CSV = 'instability.csv';
export const INSTABILITY_JSON = 'instability.json';

const measureNames = ['instability', 'max', 'start', 'end'] as const;

/** Writes instability.csv (one row per setting, t and quantity) and instability.json. */
export async function writeInstability(dir: string, document: InstabilityDocument): Promise<void> {
  const rows = Object.entries(document.settings).flatMap(([setting, { rows }]) =>
    rows.flatMap((row) => (['loss', 'error'] as const).map((quantity) => ({ setting, iteration: row.iteration, seed_a: row.seeds[0], seed_b: row.seeds[1], quantity, ...row[quantity] }))),
  );
  await writeFileAtomic(join(dir, INSTABILITY_CSV), formatCsv(['setting', 'iteration', 'seed_a', 'seed_b', 'quantity', ...measureNames], rows));
  await writeJsonFile(join(dir, INSTABILITY_JSON), ordered(document));
}

/** The document with its keys in the fixed order of the file, whatever order they were built in. */
function ordered(d: InstabilityDocument): InstabilityDocument {
  const measure = (m: InstabilityMeasure): InstabilityMeasure => ({ instability: m.instability, max: m.max, start: m.start, end: m.end });
  return {
    definitions: { instability: d.definitions.instability, stability_point: d.definitions.stability_point },
    thresholds: { loss: d.thresholds.loss, error: d.thresholds.error },
    settings: Object.fromEntries(
      Object.entries(d.settings).map(([name, s]) => [
        name,
        {
          final_iteration: s.final_iteration,
          stability_point: { loss: s.stability_point.loss, error: s.stability_point.error },
          rows: s.rows.map((r) => ({ iteration: r.iteration, seeds: [r.seeds[0], r.seeds[1]], points: r.points, loss: measure(r.loss), error: measure(r.error) })),
        },
      ]),
    ),
  };
}

const number = { type: 'number' };
const iteration = { type: 'integer', minimum: 0 };
const iterationOrNull = { anyOf: [iteration, { type: 'null' }] };
const measure = { type: 'object', required: [...measureNames], properties: Object.fromEntries(measureNames.map((m) => [m, number])) };
const instabilitySchema = {
  type: 'object',
  required: ['definitions', 'thresholds', 'settings'],
  properties: {
    definitions: { type: 'object', required: ['instability', 'stability_point'], properties: { instability: { type: 'string' }, stability_point: { type: 'string' } } },
    thresholds: { type: 'object', required: ['loss', 'error'], properties: { loss: number, error: number } },
    settings: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['final_iteration', 'stability_point', 'rows'],
        properties: {
          final_iteration: iteration,
          stability_point: { type: 'object', required: ['loss', 'error'], properties: { loss: iterationOrNull, error: iterationOrNull } },
          rows: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['iteration', 'seeds', 'points', 'loss', 'error'],
              properties: {
                iteration,
                seeds: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'integer' } },
                points: { type: 'integer', minimum: 2 },
                loss: measure,
                error: measure,
              },
            },
          },
        },
      },
    },
  },
};

/** Reads `dir`/instability.json; the first wrong key is named by its path, e.g. settings.a.rows.2.loss. */
export async function readInstability(dir: string): Promise<InstabilityDocument> {
  const file = join(dir, INSTABILITY_JSON);
  const value = await readJsonFile(file, { what: 'the instability analysis' });
  const violation = schemaViolation(value, instabilitySchema);
  if (violation !== undefined) throw new ArtifactError('corrupt-input', file, `${file}: ${violation}`);
  const document = value as InstabilityDocument;
  for (const [setting, s] of Object.entries(document.settings)) {
    const ts = s.rows.map((r) => r.iteration);
    if (ts.some((t, i) => i > 0 && t <= ts[i - 1]!)) throw new ArtifactError('corrupt-input', file, `${file}: settings.${setting}.rows: iterations ${ts.join(', ')} are not strictly ascending`);
  }
  return document;
}
