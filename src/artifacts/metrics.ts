// metrics.json: the numbers a stage declares under `metrics:` in pipeline.yaml; the runner summarises them in the lock.
import { join } from 'node:path';
import { writeJsonFile } from './json-file.js';

/** Flat numbers, or one level of groups (aggregate: per setting). */
export type Metrics = Record<string, number | Record<string, number>>;

export const METRICS_FILE = 'metrics.json';

export async function writeMetrics(dir: string, metrics: Metrics): Promise<void> {
  await writeJsonFile(join(dir, METRICS_FILE), metrics);
}
