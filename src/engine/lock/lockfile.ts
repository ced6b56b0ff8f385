// pipeline.lock: one block per stage in name order, so diffs and merges stay small and readable.
import fs from 'node:fs';
import { parse, stringify } from 'yaml';
import { writeFileAtomicSync } from '../cache/atomic.js';
import { PipelineError } from '../errors.js';
import type { FingerprintRecord } from '../fingerprint/fingerprint.js';

export interface LockedStage {
  key: string;
  output: { hash: string; files: number; bytes: number };
  duration_s: number;
  ran_on: { host: string; executor: string; gpus?: string };
  info?: Record<string, string | number | boolean>;
  metrics?: Record<string, number>;
  inputs: FingerprintRecord;
}

export interface LockFile {
  version: 1;
  stages: Record<string, LockedStage>;
}

const header = '# pipeline.lock: written by `pipeline run`. Commit it: `pipeline status` and `pipeline verify` compare against it.\n';

export function readLock(file: string): LockFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { version: 1, stages: {} };
  }
  try {
    const value = parse(text) as LockFile | null;
    if (!value || typeof value !== 'object' || typeof value.stages !== 'object') throw new Error('no "stages" map');
    return { version: 1, stages: value.stages ?? {} };
  } catch (cause) {
    throw new PipelineError('spec-syntax', `${file}: unreadable lock file (${(cause as Error).message.split('\n')[0]}); fix or delete it (it is rewritten by the next run)`, { cause });
  }
}

function sorted<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function writeLock(file: string, lock: LockFile): void {
  const stages = sorted(lock.stages);
  const body = stringify({ version: 1, stages }, { lineWidth: 0, sortMapEntries: false, aliasDuplicateObjects: false });
  writeFileAtomicSync(file, header + body);
}
