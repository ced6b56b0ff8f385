// Brings one entry from a remote into the local cache: record checked, every blob verified, then one atomic rename (store.commit).
import fs from 'node:fs';
import path from 'node:path';
import { removeTree, type CacheStore, type Entry } from '../cache/store.js';
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

/** The entry for `key`, now in the local cache; undefined when the remote has no record of it. */
export async function fetchEntry(context: FetchContext, key: string): Promise<Entry | undefined> {
  const { remote, store, hashes, limit } = context;
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
    const entry = store.commit(staging, key, manifest, run);
    // Every byte was hashed on the way in: the next check reads nothing.
    for (const file of manifest.files) {
      const full = path.join(entry.out, file.path);
      hashes.remember(full, fs.statSync(full, { bigint: true }), file.sha256);
    }
    return entry;
  } finally {
    // After a commit the staging dir has been renamed away; after a failure this drops the half-fetched files.
    removeTree(staging.dir);
  }
}
