// pipeline.lock: one block per stage in name order, so diffs and merges stay small and readable.
import fs from 'node:fs';
import path from 'node:path';
import { writePiecesAtomicSync } from '../cache/atomic.js';
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

function rememberLock(file: string, memoFile: string, lock: LockFile): void {
  writeMemo(file, memoFile, [JSON.stringify(lock)]);
}

/** The memo's JSON, `{"stat":…,"lock":LOCK}`, with the lock's text given in pieces. */
function writeMemo(file: string, memoFile: string, lockJson: Iterable<string>): void {
  const stat = statKey(file);
  if (stat === undefined) return;
  try {
    fs.mkdirSync(path.dirname(memoFile), { recursive: true });
    writePiecesAtomicSync(memoFile, pieces(`{"stat":${JSON.stringify(stat)},"lock":`, lockJson, '}'), false);
  } catch {
    // Only a speed-up.
  }
}

function* pieces(before: string, middle: Iterable<string>, after: string): Generator<string> {
  yield before;
  yield* middle;
  yield after;
}

const yamlOptions = { lineWidth: 0, sortMapEntries: false, aliasDuplicateObjects: false };
const prefix = 'version: 1\nstages:\n';

/**
 * Each stage's block of the lock's YAML (its name's line and the lines under it), by the stage object it
 * was rendered from. A block depends only on its stage (no anchors, no line folding), so the blocks joined
 * are byte for byte the text of one render of the whole. The runner writes the lock every few seconds
 * while stages finish, and it replaces a stage's object when the stage settles, never edits one: kept
 * here, each stage is rendered once per process, not once per write (rendering all 10,000 stages of a
 * fan-out took seconds and left tens of MB to collect each time). Weak, so a lock no longer written
 * frees its blocks.
 */
const renderedBlocks = new WeakMap<object, { name: string; text: string }>();

function stageBlock(name: string, stage: unknown): string {
  const cacheable = stage !== null && typeof stage === 'object';
  const known = cacheable ? renderedBlocks.get(stage) : undefined;
  if (known?.name === name) return known.text;
  const text = yamlModule().stringify({ version: 1, stages: { [name]: cacheable ? lockedFields(stage as LockedStage) : stage } }, yamlOptions);
  if (!text.startsWith(prefix)) throw new Error(`unexpected lock rendering: ${text.slice(0, 40)}`);
  const block = text.slice(prefix.length);
  if (cacheable) renderedBlocks.set(stage, { name, text: block });
  return block;
}

/** Names an object lists first, in ascending numeric order, whatever order they were added in: "0", "9", "10" (not "07", "-1", "1.5"). */
function isArrayIndex(name: string): boolean {
  if (name.length === 0 || name.length > 10) return false;
  const value = Number(name);
  return Number.isInteger(value) && value >= 0 && value < 4294967295 && String(value) === name;
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The lock's stages in the order it lists them: as an object given the stages sorted by name holds them
 * (array-index names first, by number, then the others by name), which is how it was written. Found without
 * making that object: the lock is written every few seconds during a run, and at 10,000 stages each sorted copy
 * (its entries, the object) was 2 MB that outlived the young generation, garbage the old one collected only tens
 * of MB later.
 */
function lockOrder(stages: Record<string, unknown>): string[] {
  // Object.keys lists the array-index names first, in ascending numeric order, as the sorted object would.
  const names = Object.keys(stages);
  let indexNames = 0;
  while (indexNames < names.length && isArrayIndex(names[indexNames])) indexNames++;
  return names.slice(0, indexNames).concat(names.slice(indexNames).sort(byCodeUnits));
}

/** The lock's YAML (without its comment line), in pieces: one per stage, each rendered once (see renderedBlocks). */
function* lockYaml(stages: Record<string, unknown>, names: readonly string[]): Generator<string> {
  if (names.length === 0) {
    yield yamlModule().stringify({ version: 1, stages: {} }, yamlOptions);
    return;
  }
  yield prefix;
  for (const name of names) yield stageBlock(name, stages[name]);
}

/** The lock's JSON for the memo, in pieces: what JSON.stringify gives for `{ version: 1, stages }` of the written stages. */
function* lockJson(stages: Record<string, unknown>, names: readonly string[]): Generator<string> {
  yield '{"version":1,"stages":{';
  let first = true;
  for (const name of names) {
    const stage = stages[name];
    const value = JSON.stringify(stage !== null && typeof stage === 'object' ? lockedFields(stage as LockedStage) : stage);
    if (value === undefined) continue;
    yield `${first ? '' : ','}${JSON.stringify(name)}:${value}`;
    first = false;
  }
  yield '}}';
}

/** The text of the lock, without its comment line. */
export function lockText(stages: Record<string, unknown>): string {
  return [...lockYaml(stages, lockOrder(stages))].join('');
}

/** Writes the lock and its memo a stage at a time: neither is ever one string (10,000 stages: 4 MB each). */
export function writeLock(file: string, lock: LockFile, memoFile?: string): void {
  const names = lockOrder(lock.stages);
  writePiecesAtomicSync(file, pieces(header, lockYaml(lock.stages, names), ''));
  if (memoFile) writeMemo(file, memoFile, lockJson(lock.stages, names));
}
