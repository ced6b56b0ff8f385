// pipeline.lock: one block per stage in name order, so diffs and merges stay small and readable.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../cache/atomic.js';
import { PipelineError } from '../errors.js';
import type { FingerprintRecord } from '../fingerprint/fingerprint.js';
import { yamlModule } from '../lazy.js';
import { hasRunSpecificFields, lockedFields } from './locked-stage.js';

export interface LockedStage {
  key: string;
  output: { hash: string; files: number; bytes: number };
  /** The machine class's part of PIPELINE_INFO (backend, device): see locked-stage.ts. */
  info?: Record<string, string | number | boolean>;
  metrics?: Record<string, number>;
  inputs: FingerprintRecord;
}

/**
 * Only what is a function of the stage's inputs and results, so two runs with the same inputs on the same
 * kind of machine write the same bytes; durations, hosts and run ids live in the run records under cache/.
 */
export interface LockFile {
  version: 1;
  stages: Record<string, LockedStage>;
  /** Read from a lock that still holds run-specific fields (written by an older linpath): a run rewrites it. */
  stale?: true;
}

const header = '# pipeline.lock: written by `pipeline run`. Commit it: `pipeline status` and `pipeline verify` compare against it.\n';

interface LockMemo {
  stat: string;
  lock: LockFile;
}

function statKey(file: string): string | undefined {
  try {
    const stat = fs.statSync(file, { bigint: true });
    return `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
  } catch {
    return undefined;
  }
}

/** Marks a lock that holds fields it no longer keeps (a memo written by an older linpath included). */
function withStaleness(lock: LockFile): LockFile {
  const stale = Object.values(lock.stages).some((stage) => stage !== null && typeof stage === 'object' && hasRunSpecificFields(stage));
  return stale ? { ...lock, stale: true } : lock;
}

/**
 * Reads pipeline.lock. Parsing a lock of thirty stages as YAML costs more than the rest of a no-op run, so
 * `memoFile` keeps a JSON copy keyed by the lock's (inode, size, mtime), written whenever we write the lock.
 */
export function readLock(file: string, memoFile?: string): LockFile {
  const stat = statKey(file);
  if (stat === undefined) return { version: 1, stages: {} };
  if (memoFile) {
    try {
      const memo = JSON.parse(fs.readFileSync(memoFile, 'utf8')) as LockMemo;
      if (memo.stat === stat) return withStaleness(memo.lock);
    } catch {
      // No memo yet: parse the YAML.
    }
  }
  const text = fs.readFileSync(file, 'utf8');
  try {
    const value = yamlModule().parse(text) as LockFile | null;
    if (!value || typeof value !== 'object' || typeof value.stages !== 'object') throw new Error('no "stages" map');
    const lock: LockFile = { version: 1, stages: value.stages ?? {} };
    if (memoFile) rememberLock(file, memoFile, lock);
    return withStaleness(lock);
  } catch (cause) {
    throw new PipelineError('spec-syntax', `${file}: unreadable lock file (${(cause as Error).message.split('\n')[0]}); fix or delete it (it is rewritten by the next run)`, { cause });
  }
}

function sorted<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function rememberLock(file: string, memoFile: string, lock: LockFile): void {
  const stat = statKey(file);
  if (stat === undefined) return;
  try {
    fs.mkdirSync(path.dirname(memoFile), { recursive: true });
    writeFileAtomicSync(memoFile, JSON.stringify({ stat, lock } satisfies LockMemo), false);
  } catch {
    // Only a speed-up.
  }
}

/** Stages rendered per call to yaml: its document of a 10,000-stage lock alone took over 50 MB. */
const stagesPerChunk = 500;

/**
 * The lock's YAML, rendered a chunk of stages at a time. Each stage's block depends only on the stage (no
 * anchors, no line folding), so the chunks joined are byte for byte the text of one render of the whole.
 */
export function lockText(stages: Record<string, unknown>, perChunk = stagesPerChunk): string {
  const { stringify } = yamlModule();
  const options = { lineWidth: 0, sortMapEntries: false, aliasDuplicateObjects: false };
  const names = Object.keys(stages);
  if (names.length <= perChunk) return stringify({ version: 1, stages }, options);
  const prefix = 'version: 1\nstages:\n';
  const parts: string[] = [prefix];
  for (let start = 0; start < names.length; start += perChunk) {
    const chunk = Object.fromEntries(names.slice(start, start + perChunk).map((name) => [name, stages[name]]));
    const text = stringify({ version: 1, stages: chunk }, options);
    if (!text.startsWith(prefix)) throw new Error(`unexpected lock rendering: ${text.slice(0, 40)}`);
    parts.push(text.slice(prefix.length));
  }
  return parts.join('');
}

export function writeLock(file: string, lock: LockFile, memoFile?: string): void {
  const stages = Object.fromEntries(Object.entries(sorted(lock.stages)).map(([name, stage]) => [name, stage !== null && typeof stage === 'object' ? lockedFields(stage) : stage]));
  writeFileAtomicSync(file, header + lockText(stages));
  if (memoFile) rememberLock(file, memoFile, { version: 1, stages });
}
