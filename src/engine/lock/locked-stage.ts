// What pipeline.lock keeps of a stage's entry: only what follows from its inputs and results, never how or where one run went.
import type { Entry } from '../cache/store.js';
import type { LockedStage } from './lockfile.js';

export type StageInfo = Record<string, string | number | boolean>;

/**
 * PIPELINE_INFO keys that name one physical device or one run, not the kind of machine: which of a host's
 * GPUs a stage leased (`gpu_index`, `gpu_uuid`, `gpu_bus_id`) is the scheduler's choice, so it differs
 * between two runs on the same box. They stay in the run record (cache/entries/KEY/run.json).
 */
export function isRunSpecificInfo(name: string): boolean {
  return name.startsWith('gpu_') || name.startsWith('run_');
}

/** The part of a stage's info that describes the machine class (backend, device, adapter): the same on every run there. */
export function lockInfo(info: StageInfo | undefined): StageInfo | undefined {
  if (!info) return undefined;
  const kept = Object.entries(info).filter(([name]) => !isRunSpecificInfo(name));
  return kept.length > 0 ? Object.fromEntries(kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : undefined;
}

export function lockedFromEntry(entry: Entry): LockedStage {
  const { run, manifest } = entry;
  const info = lockInfo(run.info);
  return {
    key: entry.key,
    output: { hash: manifest.output_hash, files: manifest.files.length, bytes: manifest.bytes },
    ...(info ? { info } : {}),
    ...(run.metrics && Object.keys(run.metrics).length > 0 ? { metrics: run.metrics } : {}),
    inputs: run.record,
  };
}

/**
 * A lock block with only the fields the lock keeps, in a fixed order. A lock written before durations and
 * hosts moved to the run records still has them; they are dropped the next time the lock is written.
 */
export function lockedFields(stage: LockedStage): LockedStage {
  // Picked, not rebuilt: a hand-edited block missing a field is written back as it was, not crashed on.
  const info = lockInfo(stage.info);
  return {
    key: stage.key,
    output: stage.output,
    ...(info ? { info } : {}),
    ...(stage.metrics && Object.keys(stage.metrics).length > 0 ? { metrics: stage.metrics } : {}),
    inputs: stage.inputs,
  };
}

/** Whether a parsed lock block holds anything the lock no longer keeps (a duration, a host, a GPU's UUID). */
export function hasRunSpecificFields(stage: object): boolean {
  const info = (stage as { info?: unknown }).info;
  const extraInfo = info !== null && typeof info === 'object' && Object.keys(info).some(isRunSpecificInfo);
  return extraInfo || Object.keys(stage).some((field) => !['key', 'output', 'info', 'metrics', 'inputs'].includes(field));
}
