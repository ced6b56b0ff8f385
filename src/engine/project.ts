// The places a project keeps its state: the lock beside pipeline.yaml, everything else under cache/.
import path from 'node:path';
import { CacheStore } from './cache/store.js';
import { FileHashes } from './fingerprint/file-hashes.js';
import type { Pipeline } from './spec/load.js';

export interface Project {
  pipeline: Pipeline;
  store: CacheStore;
  hashes: FileHashes;
  lockFile: string;
  runLockFile: string;
}

export function openProject(pipeline: Pipeline, cacheDir = process.env.PIPELINE_CACHE_DIR): Project {
  const store = new CacheStore(path.resolve(pipeline.root, cacheDir ?? 'cache'));
  return {
    pipeline,
    store,
    hashes: FileHashes.load(path.join(store.state, 'file-hashes.json')),
    lockFile: path.join(pipeline.root, path.basename(pipeline.file).replace(/\.ya?ml$/, '') + '.lock'),
    runLockFile: path.join(store.dir, 'run.lock'),
  };
}
