// How long a stage's last run took and where it ran, read from the run record in its cache entry (not the lock).
import type { CacheStore, RunRecord } from '../cache/store.js';

function seconds(value: number): string {
  if (value < 60) return `${value.toFixed(1)} s`;
  const minutes = Math.floor(value / 60);
  return minutes < 60 ? `${minutes} min ${Math.round(value - minutes * 60)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "took 12.3 s on vm (local, GPUs 0), 2026-11-29 21:03 UTC"; the time is absent in entries written before run records kept it. */
export function describeRun(run: RunRecord): string {
  const where = [run.ran_on.executor, run.ran_on.gpus ? `GPUs ${run.ran_on.gpus}` : undefined].filter(Boolean).join(', ');
  const when = run.finished ? `, ${run.finished.slice(0, 16).replace('T', ' ')} UTC` : '';
  return `took ${seconds(run.duration_s)} on ${run.ran_on.host}${where ? ` (${where})` : ''}${when}`;
}

/** The run record of the entry `key`, described; undefined when the entry is gone or damaged. */
export function lastRun(store: CacheStore, key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  const entry = store.read(key);
  return entry ? describeRun(entry.run) : undefined;
}
