// The places a project keeps its state: the lock beside pipeline.yaml, everything else under cache/.
import path from 'node:path';
import { CacheStore } from './cache/store.js';
import { FileHashes } from './fingerprint/file-hashes.js';
import type { Pipeline } from './pipeline/load.js';
import { loadPipelineMemoized } from './pipeline/memo.js';
import type { Override } from './pipeline/overrides.js';

export interface Project {
  pipeline: Pipeline;
  store: CacheStore;
  hashes: FileHashes;
  lockFile: string;
  /** A JSON copy of the lock, keyed by its stat, so a no-op run does not parse YAML. */
  lockMemo?: string;
  runLockFile: string;
}

/** The cache of a project rooted at `root` (PIPELINE_CACHE_DIR moves it, e.g. onto a shared filesystem). */
export function cacheDirOf(root: string): string {
  return path.resolve(root, process.env.PIPELINE_CACHE_DIR ?? 'cache');
}

/** Loads pipeline.yaml (through its memo) and opens the project's cache and lock. */
export function openProjectFile(file: string, overrides: readonly Override[] = []): Project {
  return openProject(loadPipelineMemoized(file, cacheDirOf, overrides));
}

export function openProject(pipeline: Pipeline): Project {
  const store = new CacheStore(cacheDirOf(pipeline.root));
  const lockFile = path.join(pipeline.root, path.basename(pipeline.file).replace(/\.ya?ml$/, '') + '.lock');
  return {
    pipeline,
    store,
    hashes: FileHashes.load(path.join(store.state, 'file-hashes.json')),
    lockFile,
    lockMemo: path.join(store.state, `lock-${path.basename(lockFile)}.json`),
    runLockFile: path.join(store.dir, 'run.lock'),
  };
}
