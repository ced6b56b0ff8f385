// Every lock file whose pipeline keeps results in a cache: gc keeps what each of them names, not only its own.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../cache/atomic.js';
import { PipelineError } from '../errors.js';
import { readLock } from './lockfile.js';

export interface KnownLock {
  file: string;
  keys: string[];
}

function registryFile(stateDir: string): string {
  return path.join(stateDir, 'lock-files.json');
}

function registered(stateDir: string): string[] {
  try {
    const value = JSON.parse(fs.readFileSync(registryFile(stateDir), 'utf8')) as unknown;
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Notes that `lockFile` names entries of this cache. `pipeline run` calls it, so a pipeline elsewhere that
 * shares the cache (PIPELINE_CACHE_DIR) is known to gc too. Call it while holding the project lock.
 */
export function rememberLockFile(stateDir: string, lockFile: string): void {
  const known = registered(stateDir);
  if (known.includes(lockFile)) return;
  fs.mkdirSync(stateDir, { recursive: true });
  writeFileAtomicSync(registryFile(stateDir), JSON.stringify([...known, lockFile].sort(), null, 1), false);
}

/** A lock file's keys; undefined when the file is not a pipeline lock (yarn.lock, say). */
function keysOf(file: string): string[] | undefined {
  try {
    return Object.values(readLock(file).stages)
      .map((stage) => stage.key)
      .filter((key) => typeof key === 'string');
  } catch {
    return undefined;
  }
}

/**
 * The lock files whose entries gc must keep: `own` (this pipeline's), every `X.lock` beside the pipeline
 * file (the lock of `-f X.yaml`, which shares this cache), and every lock a run with this cache recorded.
 * A lock that belongs to a pipeline (its X.yaml is beside it, or a run recorded it) but cannot be read
 * stops gc: without it, gc cannot know what to keep. Recorded locks that no longer exist are forgotten.
 */
export function locksSharingCache(root: string, own: string, stateDir: string): KnownLock[] {
  const candidates = new Map<string, boolean>(); // file → whether it surely is a pipeline's lock
  candidates.set(own, true);
  for (const name of fs.readdirSync(root)) {
    if (!name.endsWith('.lock')) continue;
    const stem = name.slice(0, -'.lock'.length);
    const besideYaml = fs.existsSync(path.join(root, `${stem}.yaml`)) || fs.existsSync(path.join(root, `${stem}.yml`));
    const file = path.join(root, name);
    candidates.set(file, candidates.get(file) === true || besideYaml);
  }
  const recorded = registered(stateDir);
  const present = recorded.filter((file) => fs.existsSync(file));
  for (const file of present) candidates.set(file, true);
  if (present.length !== recorded.length) writeFileAtomicSync(registryFile(stateDir), JSON.stringify(present, null, 1), false);

  const locks: KnownLock[] = [];
  // Those beside the pipeline file first, then those of pipelines elsewhere.
  const order = ([file]: [string, boolean]) => `${path.dirname(file) === root ? 0 : 1}${file}`;
  for (const [file, surely] of [...candidates].sort((a, b) => (order(a) < order(b) ? -1 : 1))) {
    if (!fs.existsSync(file)) continue;
    const keys = keysOf(file);
    if (keys !== undefined) locks.push({ file, keys });
    else if (surely) throw new PipelineError('spec-syntax', `${file}: unreadable lock file; gc keeps what every lock file sharing the cache names, so it stops here (fix or delete that file)`);
  }
  return locks;
}
