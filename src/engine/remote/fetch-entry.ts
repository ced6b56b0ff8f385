// Brings one entry from a remote into the local cache: record checked, every blob verified into a staging dir, then one atomic rename (store.commit).
import fs from 'node:fs';
import path from 'node:path';
import { removeTree, type CacheStore, type Entry, type RunRecord, type Staging } from '../cache/store.js';
import type { Manifest } from '../cache/manifest.js';
import type { FileHashes } from '../fingerprint/file-hashes.js';
import type { Limit } from './parallel.js';
import { decodeRecord } from './record.js';
import type { Remote } from './remote.js';
import { downloadVerified } from './verified-download.js';

export interface FetchContext {
  remote: Remote;
  store: CacheStore;
  hashes: FileHashes;
  limit: Limit;
  /** A directory under cache/tmp/ this process owns (a run dir): staging happens there. */
  workDir: string;
}

/** An entry downloaded and verified into a staging dir, not yet visible in cache/entries/. */
export interface StagedEntry {
  key: string;
  staging: Staging;
  manifest: Manifest;
  run: RunRecord;
}

/** Downloads `key`'s entry into a staging dir, every file verified; undefined when the remote has no record of it. */
export async function downloadEntry(context: FetchContext, key: string): Promise<StagedEntry | undefined> {
  const { remote, store, limit } = context;
  const bytes = await limit(() => remote.getRecord(key));
  if (!bytes) return undefined;
  const { manifest, run } = decodeRecord(remote.name, key, bytes);
  const staging = store.stage(context.workDir, `fetch-${key}`);
  try {
    await Promise.all(
      manifest.files.map((file) =>
        limit(async () => {
          const target = path.join(staging.out, file.path);
          await fs.promises.mkdir(path.dirname(target), { recursive: true });
          await downloadVerified(remote, file, target);
        }),
      ),
    );
    for (const link of manifest.links) {
      const at = path.join(staging.out, link.path);
      fs.mkdirSync(path.dirname(at), { recursive: true });
      fs.symlinkSync(link.target, at);
    }
    fs.writeFileSync(staging.log, `pipeline: fetched from remote ${remote.name}; the run that made it is in run.json\n`);
    return { key, staging, manifest, run };
  } catch (error) {
    // Half-fetched files never leave the staging dir.
    removeTree(staging.dir);
    throw error;
  }
}

/** Makes a staged entry visible in one rename (store.commit), as a computed one is. */
export function commitStaged(context: FetchContext, staged: StagedEntry): Entry {
  const { store, hashes } = context;
  try {
    const entry = store.commit(staged.staging, staged.key, staged.manifest, staged.run);
    // Every byte was hashed on the way in: the next check reads nothing.
    for (const file of staged.manifest.files) {
      const full = path.join(entry.out, file.path);
      hashes.remember(full, fs.statSync(full, { bigint: true }), file.sha256);
    }
    return entry;
  } finally {
    removeTree(staged.staging.dir);
  }
}

/** The entry for `key`, now in the local cache; undefined when the remote has no record of it. */
export async function fetchEntry(context: FetchContext, key: string): Promise<Entry | undefined> {
  const staged = await downloadEntry(context, key);
  return staged && commitStaged(context, staged);
}
