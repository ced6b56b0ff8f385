// barriers.csv, barrier-spread.csv and barriers.json: the four barrier measures of every sweep, by setting and seed, and their
// spread across seeds; render reads barriers.json.
import { join } from 'node:path';
import { formatCsv } from './csv.js';
import { ArtifactError } from './errors.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { schemaViolation } from './json-schema.js';
import { SPREAD_FIELDS, type Spread } from './spread.js';
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

/** One seed's run of a setting: its final result and a row per swept checkpoint. */
export interface SeedBarriers {
  seed: number;
  final: { test_loss: number; test_error: number };
  rows: BarrierRow[];
}

/** A row of the summary across seeds: each measure's mean, sd and range at one checkpoint. */
export interface BarrierSpreadRow {
  iteration: number;
  loss: Record<BarrierName, Spread>;
  error: Record<BarrierName, Spread>;
}

export interface SettingBarriers {
  /** The setting's dataset (its recipe's `dataset`), when the aggregate stage was told it: scopes the paper's claims. */
  dataset?: string;
  final_iteration: number;
  /** One entry per seed, in ascending seed order; every seed swept the same checkpoints. */
  seeds: SeedBarriers[];
  /** Across seeds: the final result and every barrier as mean, sd (n − 1; 0 for one seed), min and max. */
  final: { test_loss: Spread; test_error: Spread };
  rows: BarrierSpreadRow[];
}

export interface BarriersDocument {
  /** Each measure's definition in words, so the numbers can be read without this code. */
  definitions: Record<string, string>;
  settings: Record<string, SettingBarriers>;
}

export const BARRIERS_CSV = 'barriers.csv';
export const BARRIER_SPREAD_CSV = 'barrier-spread.csv';
export const BARRIERS_JSON = 'barriers.json';

/**
 * Writes barriers.csv (one row per setting, seed, iteration and quantity), barrier-spread.csv (one row per setting,
 * iteration, quantity and measure: mean, sd, min, max over the seeds) and barriers.json.
 */
export async function writeBarriers(dir: string, document: BarriersDocument): Promise<void> {
  const perSeed = Object.entries(document.settings).flatMap(([setting, s]) =>
    s.seeds.flatMap(({ seed, rows }) => rows.flatMap((row) => (['loss', 'error'] as const).map((quantity) => ({ setting, seed, iteration: row.iteration, quantity, ...row[quantity] })))),
  );
  await writeFileAtomic(join(dir, BARRIERS_CSV), formatCsv(['setting', 'seed', 'iteration', 'quantity', ...BARRIER_NAMES], perSeed));
  const spread = Object.entries(document.settings).flatMap(([setting, s]) =>
    s.rows.flatMap((row) =>
      (['loss', 'error'] as const).flatMap((quantity) => BARRIER_NAMES.map((measure) => ({ setting, seeds: s.seeds.length, iteration: row.iteration, quantity, measure, ...row[quantity][measure] }))),
    ),
  );
  await writeFileAtomic(join(dir, BARRIER_SPREAD_CSV), formatCsv(['setting', 'seeds', 'iteration', 'quantity', 'measure', ...SPREAD_FIELDS], spread));
  await writeJsonFile(join(dir, BARRIERS_JSON), ordered(document));
}

/** The document with its keys in the fixed order of the file, whatever order they were built in. */
function ordered(document: BarriersDocument): BarriersDocument {
  const measures = (m: BarrierMeasures): BarrierMeasures => ({ above_start: m.above_start, above_chord: m.above_chord, lmc: m.lmc, largest_bump: m.largest_bump });
  const spread = (v: Spread): Spread => ({ mean: v.mean, sd: v.sd, min: v.min, max: v.max });
  const spreads = (m: Record<BarrierName, Spread>) => Object.fromEntries(BARRIER_NAMES.map((name) => [name, spread(m[name])])) as Record<BarrierName, Spread>;
  const settings = Object.fromEntries(
    Object.entries(document.settings).map(([name, s]) => [
      name,
      {
        ...(s.dataset === undefined ? {} : { dataset: s.dataset }),
        final_iteration: s.final_iteration,
        final: { test_loss: spread(s.final.test_loss), test_error: spread(s.final.test_error) },
        rows: s.rows.map((row) => ({ iteration: row.iteration, loss: spreads(row.loss), error: spreads(row.error) })),
        seeds: s.seeds.map((seed) => ({
          seed: seed.seed,
          final: { test_loss: seed.final.test_loss, test_error: seed.final.test_error },
          rows: seed.rows.map((row) => ({ iteration: row.iteration, loss: measures(row.loss), error: measures(row.error) })),
        })),
      },
    ]),
  );
  return { definitions: document.definitions, settings };
}

const number = { type: 'number' };
const integer = { type: 'integer' };
const measures = { type: 'object', required: [...BARRIER_NAMES], properties: Object.fromEntries(BARRIER_NAMES.map((m) => [m, number])) };
const spread = { type: 'object', required: [...SPREAD_FIELDS], properties: Object.fromEntries(SPREAD_FIELDS.map((f) => [f, number])) };
const spreads = { type: 'object', required: [...BARRIER_NAMES], properties: Object.fromEntries(BARRIER_NAMES.map((m) => [m, spread])) };
const row = (of: object) => ({ type: 'object', required: ['iteration', 'loss', 'error'], properties: { iteration: integer, loss: of, error: of } });
const final = (of: object) => ({ type: 'object', required: ['test_loss', 'test_error'], properties: { test_loss: of, test_error: of } });
const barriersSchema = {
  type: 'object',
  required: ['definitions', 'settings'],
  properties: {
    definitions: { type: 'object', additionalProperties: { type: 'string' } },
    settings: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['final_iteration', 'final', 'rows', 'seeds'],
        properties: {
          dataset: { type: 'string' },
          final_iteration: integer,
          final: final(spread),
          rows: { type: 'array', items: row(spreads) },
          seeds: {
            type: 'array',
            minItems: 1,
            items: { type: 'object', required: ['seed', 'final', 'rows'], properties: { seed: number, final: final(number), rows: { type: 'array', items: row(measures) } } },
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
