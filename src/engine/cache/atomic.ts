// Writes that are either complete or absent (temp file, fsync, rename), for the lock, memo and manifests.
import writeFileAtomic from 'write-file-atomic';

/**
 * `durable` adds an fsync before the rename: worth it for pipeline.lock. Cache entries skip it: an entry
 * whose manifest was lost to a power cut reads as missing and is rebuilt, never trusted half-written.
 */
export function writeFileAtomicSync(file: string, data: string | Buffer, durable = true): void {
  writeFileAtomic.sync(file, data, { fsync: durable });
}
