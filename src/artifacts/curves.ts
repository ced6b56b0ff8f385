// curves.csv: every sweep curve in long format (one row per setting, seed, iteration and x), written by aggregate, read by render.
import { join } from 'node:path';
import { formatCsv, parseCsv } from './csv.js';
import { readTextFile } from './json-file.js';
import type { SweepPoint } from './sweep-output.js';
import { writeFileAtomic } from './write-atomic.js';

/** A sweep point (without the optional training loss), labelled with its sweep. */
export interface CurvePoint extends Pick<SweepPoint, 'x' | 'test_loss' | 'test_error'> {
  setting: string;
  /** The setting's replicate (its run's seed). */
  seed: number;
  /** The checkpoint the sweep started from (θ_t). */
  iteration: number;
}

export const CURVES_CSV = 'curves.csv';
const COLUMNS = ['setting', 'seed', 'iteration', 'x', 'test_loss', 'test_error'] as const;

export async function writeCurves(dir: string, points: readonly CurvePoint[]): Promise<void> {
  await writeFileAtomic(join(dir, CURVES_CSV), formatCsv(COLUMNS, points));
}

/** Reads `dir`/curves.csv; a bad cell is named by line and column. */
export async function readCurves(dir: string): Promise<CurvePoint[]> {
  const file = join(dir, CURVES_CSV);
  return parseCsv(await readTextFile(file), file, { text: ['setting'], numeric: ['seed', 'iteration', 'x', 'test_loss', 'test_error'] });
}
