// Loads the aggregate stage's output (curves.csv, barriers.json; docs/outputs.md) into typed values.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCsv } from '../artifacts/csv.js';
import { ReportError } from './errors.js';
import { assertMatchesSchema } from './json-schema.js';

export interface CurvePoint {
  setting: string;
  iteration: number;
  x: number;
  test_loss: number;
  test_error: number;
}

export const BARRIER_MEASURES = ['above_start', 'above_chord', 'lmc', 'largest_bump'] as const;
export type BarrierMeasure = (typeof BARRIER_MEASURES)[number];
export type BarrierValues = Record<BarrierMeasure, number>;

export interface BarrierRow {
  iteration: number;
  loss: BarrierValues;
  error: BarrierValues;
}

export interface SettingSummary {
  final_iteration: number;
  final: { test_loss: number; test_error: number };
  rows: BarrierRow[];
}

export interface AggregateData {
  curves: CurvePoint[];
  definitions: Record<string, string>;
  settings: Record<string, SettingSummary>;
}

/** Settings in the order barriers.json lists them: the order of every legend, table and sentence. */
export function settingOrder(data: AggregateData): string[] {
  return Object.keys(data.settings);
}

const number = { type: 'number' };
const barrierValues = {
  type: 'object',
  required: [...BARRIER_MEASURES],
  properties: Object.fromEntries(BARRIER_MEASURES.map((m) => [m, number])),
};
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
          final_iteration: { type: 'integer' },
          final: { type: 'object', required: ['test_loss', 'test_error'], properties: { test_loss: number, test_error: number } },
          rows: {
            type: 'array',
            items: {
              type: 'object',
              required: ['iteration', 'loss', 'error'],
              properties: { iteration: { type: 'integer' }, loss: barrierValues, error: barrierValues },
            },
          },
        },
      },
    },
  },
};

async function readInput(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : (cause as Error).message;
    throw new ReportError('missing-input', `${path}: ${why}`, { cause });
  }
}

export async function loadAggregate(directory: string): Promise<AggregateData> {
  const curvesPath = join(directory, 'curves.csv');
  const barriersPath = join(directory, 'barriers.json');
  const curves = parseCsv(await readInput(curvesPath), curvesPath, {
    text: ['setting'],
    numeric: ['iteration', 'x', 'test_loss', 'test_error'],
  });
  let barriers: unknown;
  try {
    barriers = JSON.parse(await readInput(barriersPath));
  } catch (cause) {
    if (cause instanceof ReportError) throw cause;
    throw new ReportError('corrupt-input', `${barriersPath}: not JSON (${(cause as Error).message})`, { cause });
  }
  assertMatchesSchema<Omit<AggregateData, 'curves'>>(barriers, barriersSchema, barriersPath);
  const known = new Set(Object.keys(barriers.settings));
  const stray = curves.find((point) => !known.has(point.setting));
  if (stray) {
    throw new ReportError('corrupt-input', `${curvesPath}: setting "${stray.setting}" is not in ${barriersPath}`);
  }
  if (curves.length === 0) throw new ReportError('corrupt-input', `${curvesPath}: no rows`);
  return { curves, definitions: barriers.definitions, settings: barriers.settings };
}
