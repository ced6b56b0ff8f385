// The aggregate stage's output as one unit: what it writes (curves, barriers, metrics) and what render reads back, checked against each other.
import { join } from 'node:path';
import { BARRIERS_JSON, readBarriers, writeBarriers, type BarriersDocument, type SettingBarriers } from './barriers.js';
import { CURVES_CSV, readCurves, writeCurves, type CurvePoint } from './curves.js';
import { ArtifactError } from './errors.js';
import { writeMetrics } from './metrics.js';

export interface AggregateOutput {
  /** Every sweep's points, by setting, then seed, then iteration, then x. */
  curves: CurvePoint[];
  barriers: BarriersDocument;
  /** Per setting: final results and the headline barriers (summarised in the lock). */
  metrics: Record<string, Record<string, number>>;
}

/** What render needs: the curves and barriers.json's definitions and settings. */
export interface AggregateData {
  curves: CurvePoint[];
  definitions: Record<string, string>;
  settings: Record<string, SettingBarriers>;
}

/** Writes curves.csv, barriers.csv, barriers.json and metrics.json. */
export async function writeAggregateOutput(dir: string, output: AggregateOutput): Promise<void> {
  await writeCurves(dir, output.curves);
  await writeBarriers(dir, output.barriers);
  await writeMetrics(dir, output.metrics);
}

/** Reads curves.csv and barriers.json (barriers.csv and metrics.json are for people and the lock) and checks they agree. */
export async function readAggregateOutput(dir: string): Promise<AggregateData> {
  const curvesPath = join(dir, CURVES_CSV);
  const curves = await readCurves(dir);
  const barriers = await readBarriers(dir);
  const stray = curves.find((point) => !Object.hasOwn(barriers.settings, point.setting));
  if (stray) throw new ArtifactError('corrupt-input', curvesPath, `${curvesPath}: setting "${stray.setting}" is not in ${join(dir, BARRIERS_JSON)}`);
  const seedsOf = new Map(Object.entries(barriers.settings).map(([setting, s]) => [setting, new Set(s.seeds.map((seed) => seed.seed))]));
  const unknownSeed = curves.find((point) => !seedsOf.get(point.setting)!.has(point.seed));
  if (unknownSeed) {
    throw new ArtifactError('corrupt-input', curvesPath, `${curvesPath}: ${unknownSeed.setting} seed ${unknownSeed.seed} is not among its seeds in ${join(dir, BARRIERS_JSON)}`);
  }
  if (curves.length === 0) throw new ArtifactError('corrupt-input', curvesPath, `${curvesPath}: no rows`);
  return { curves, definitions: barriers.definitions, settings: barriers.settings };
}

/** Settings in the order barriers.json lists them: the order of every legend, table and sentence. */
export function settingOrder(data: AggregateData): string[] {
  return Object.keys(data.settings);
}
