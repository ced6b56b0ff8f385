// barriers.csv and barriers.json: the four barrier measures of every sweep, by setting; render reads barriers.json.
import { join } from 'node:path';
import { formatCsv } from './csv.js';
import { ArtifactError } from './errors.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { schemaViolation } from './json-schema.js';
import { writeFileAtomic } from './write-atomic.js';

/** The measures in the order of every table (DESIGN.md "Barriers" (a)–(d)). */
export const BARRIER_NAMES = ['above_start', 'above_chord', 'lmc', 'largest_bump'] as const;
export type BarrierName = (typeof BARRIER_NAMES)[number];
export type BarrierMeasures = Record<BarrierName, number>;

export interface BarrierRow {
  /** The checkpoint the path starts from (θ_t). */
  iteration: number;
  loss: BarrierMeasures;
  error: BarrierMeasures;
}

export interface SettingBarriers {
  /** The setting's dataset (its recipe's `dataset`), when the aggregate stage was told it: scopes the paper's claims. */
  dataset?: string;
  final_iteration: number;
  final: { test_loss: number; test_error: number };
  rows: BarrierRow[];
}

export interface BarriersDocument {
  /** Each measure's definition in words, so the numbers can be read without this code. */
  definitions: Record<string, string>;
  settings: Record<string, SettingBarriers>;
}

export const BARRIERS_CSV = 'barriers.csv';
export const BARRIERS_JSON = 'barriers.json';

/** Writes barriers.csv (one row per setting, iteration and quantity) and barriers.json. */
export async function writeBarriers(dir: string, document: BarriersDocument): Promise<void> {
  const rows = Object.entries(document.settings).flatMap(([setting, { rows }]) =>
    rows.flatMap((row) => (['loss', 'error'] as const).map((quantity) => ({ setting, iteration: row.iteration, quantity, ...row[quantity] }))),
  );
  await writeFileAtomic(join(dir, BARRIERS_CSV), formatCsv(['setting', 'iteration', 'quantity', ...BARRIER_NAMES], rows));
  await writeJsonFile(join(dir, BARRIERS_JSON), ordered(document));
}

/** The document with its keys in the fixed order of the file, whatever order they were built in. */
function ordered(document: BarriersDocument): BarriersDocument {
  const measures = (m: BarrierMeasures): BarrierMeasures => ({ above_start: m.above_start, above_chord: m.above_chord, lmc: m.lmc, largest_bump: m.largest_bump });
  const settings = Object.fromEntries(
    Object.entries(document.settings).map(([name, s]) => [
      name,
      {
        ...(s.dataset === undefined ? {} : { dataset: s.dataset }),
        final_iteration: s.final_iteration,
        final: { test_loss: s.final.test_loss, test_error: s.final.test_error },
        rows: s.rows.map((row) => ({ iteration: row.iteration, loss: measures(row.loss), error: measures(row.error) })),
      },
    ]),
  );
  return { definitions: document.definitions, settings };
}

const number = { type: 'number' };
const measures = { type: 'object', required: [...BARRIER_NAMES], properties: Object.fromEntries(BARRIER_NAMES.map((m) => [m, number])) };
const barriersSchema = {
  type: 'object',
  required: ['definitions', 'settings'],
  properties: {
    definitions: { type: 'object', additionalProperties: { type: 'string' } },
    settings: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['final_iteration', 'final', 'rows'],
        properties: {
          dataset: { type: 'string' },
          final_iteration: { type: 'integer' },
          final: { type: 'object', required: ['test_loss', 'test_error'], properties: { test_loss: number, test_error: number } },
          rows: {
            type: 'array',
            items: { type: 'object', required: ['iteration', 'loss', 'error'], properties: { iteration: { type: 'integer' }, loss: measures, error: measures } },
          },
        },
      },
    },
  },
};

/** Reads `dir`/barriers.json; the first wrong key is named by its path, e.g. settings.a.rows.2.loss. */
export async function readBarriers(dir: string): Promise<BarriersDocument> {
  const file = join(dir, BARRIERS_JSON);
  const value = await readJsonFile(file);
  const violation = schemaViolation(value, barriersSchema);
  if (violation !== undefined) throw new ArtifactError('corrupt-input', file, `${file}: ${violation}`);
  return value as BarriersDocument;
}
