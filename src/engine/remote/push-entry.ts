// Sends one local entry to a remote: its blobs (those the remote lacks), each re-hashed as it is read, then its record.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import type { Entry } from '../cache/store.js';
import type { ManifestFile } from '../cache/manifest.js';
import { RemoteError } from './errors.js';
import type { Limit } from './parallel.js';
import { encodeRecord } from './record.js';
import type { Remote } from './remote.js';

/**
 * The file's bytes, checked against the manifest as they go. The last chunk is held back until the hash
 * matches, so a remote never receives a complete body for a damaged file (and so never stores one).
 */
function verifiedRead(file: string, expected: ManifestFile, stage: string): Readable {
  const hash = createHash('sha256');
  let held: Buffer | undefined;
  let bytes = 0;
  const damaged = (why: string) => new RemoteError('remote-local-damage', `${stage}: ${expected.path} ${why}; not pushed (\`pipeline fsck --repair\` drops the entry, a run rebuilds it)`);
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      hash.update(chunk);
      const previous = held;
      held = chunk;
      done(null, previous);
    },
    flush(done) {
      if (bytes !== expected.size) return done(damaged(`has ${bytes} bytes, its manifest says ${expected.size}`));
      if (hash.digest('hex') !== expected.sha256) return done(damaged('no longer matches its manifest'));
      done(null, held);
    },
  });
  return fs
    .createReadStream(file, { highWaterMark: 1 << 20 })
    .on('error', (error) => check.destroy(error))
    .pipe(check);
}

/** 'present' when the remote already had the record (nothing sent). */
export async function pushEntry(remote: Remote, entry: Entry, limit: Limit): Promise<'pushed' | 'present'> {
  if (await limit(() => remote.hasRecord(entry.key))) return 'present';
  const byHash = new Map(entry.manifest.files.map((file) => [file.sha256, file]));
  await Promise.all(
    [...byHash.values()].map((file) =>
      limit(async () => {
        if (await remote.hasBlob(file.sha256)) return;
        await remote.putBlob(file.sha256, file.size, () => verifiedRead(path.join(entry.out, file.path), file, entry.run.stage));
      }),
    ),
  );
  // Last: a record is only ever visible once every blob it names is.
  await limit(() => remote.putRecord(entry.key, encodeRecord(entry)));
  return 'pushed';
}
