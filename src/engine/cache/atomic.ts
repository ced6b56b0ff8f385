// Writes that are either complete or absent (temp file, fsync, rename), for the lock, memo and manifests.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import writeFileAtomic from 'write-file-atomic';

/**
 * `durable` adds an fsync before the rename: worth it for pipeline.lock. Cache entries skip it: an entry
 * whose manifest was lost to a power cut reads as missing and is rebuilt, never trusted half-written.
 */
export function writeFileAtomicSync(file: string, data: string | Buffer, durable = true): void {
  writeFileAtomic.sync(file, data, { fsync: durable });
}

/** Bytes gathered per write(2) by writePiecesAtomicSync. */
const batchBytes = 256 * 1024;

/** chown and chmod of the temporary file may be refused to a user who does not own the file it replaces. */
function refusedToOthers(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOSYS' || code === 'EPERM' || code === 'EINVAL';
}

/**
 * writeFileAtomicSync for a text given in pieces (the lock of 10,000 stages, its memo): the pieces go to the
 * temporary file a batch at a time and are never joined into one string, which at that size held several
 * MB twice over (the text, then its UTF-8 bytes) on top of everything the runner keeps. The same steps:
 * the file's real path, a temporary file beside it with the old file's mode and owner, fsync when
 * `durable`, then rename; on failure the temporary file is removed and the old file is left as it was.
 */
export function writePiecesAtomicSync(file: string, pieces: Iterable<string>, durable = true): void {
  let target = file;
  try {
    target = fs.realpathSync(file);
  } catch {
    // Not there yet: it is created.
  }
  const existing = fs.statSync(target, { throwIfNoEntry: false });
  const temporary = `${target}.${randomBytes(4).toString('hex')}`;
  let fd: number | undefined = fs.openSync(temporary, 'w', existing?.mode ?? 0o666);
  let renamed = false;
  try {
    const write = (bytes: Buffer, length: number) => {
      for (let offset = 0; offset < length; ) offset += fs.writeSync(fd!, bytes, offset, length - offset);
    };
    // Each piece is encoded straight into one buffer, written whenever the next piece would not fit: no batch
    // string is built (each had been a flat 256 KB copy in V8's large-object space, and a 10,000-stage lock and
    // memo made dozens of them at the very end of a run).
    const buffer = Buffer.allocUnsafe(batchBytes);
    let used = 0;
    for (const piece of pieces) {
      const length = Buffer.byteLength(piece);
      if (length > buffer.length - used) {
        write(buffer, used);
        used = 0;
        if (length > buffer.length) {
          write(Buffer.from(piece), length);
          continue;
        }
      }
      used += buffer.write(piece, used);
    }
    if (used > 0) write(buffer, used);
    if (durable) fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    if (existing) {
      for (const keep of [() => fs.chownSync(temporary, existing.uid, existing.gid), () => fs.chmodSync(temporary, existing.mode)]) {
        try {
          keep();
        } catch (error) {
          if (!refusedToOthers(error)) throw error;
        }
      }
    }
    fs.renameSync(temporary, target);
    renamed = true;
  } finally {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // Already failing: that error is the one to report.
      }
    }
    if (!renamed) fs.rmSync(temporary, { force: true });
  }
}
