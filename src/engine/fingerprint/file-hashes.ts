// Content hashes of files, memoized by (path, inode, size, mtime) so unchanged big files are never re-read.
import fs from 'node:fs';
import path from 'node:path';
import { writePiecesAtomicSync } from '../cache/atomic.js';
import { sha256File } from './hash-file.js';

type Entry = [inode: number, size: number, mtimeNs: string, hash: string];

interface MemoFile {
  version: 1;
  files: Record<string, Entry>;
}

export interface FileHash {
  hash: string;
  size: number;
}

export class FileHashes {
  private files: Record<string, Entry>;
  private dirty = false;
  /** How many files were actually read in this process (the benchmark and tests watch this). */
  bytesRead = 0;

  private constructor(
    private readonly memoPath: string,
    files: Record<string, Entry>,
  ) {
    this.files = files;
  }

  static load(memoPath: string): FileHashes {
    try {
      const memo = JSON.parse(fs.readFileSync(memoPath, 'utf8')) as MemoFile;
      if (memo.version === 1 && memo.files) return new FileHashes(memoPath, memo.files);
    } catch {
      // A missing or unreadable memo only costs re-hashing.
    }
    return new FileHashes(memoPath, {});
  }

  /** The memoized hash if the file is unchanged since it was hashed, without reading it. */
  lookup(file: string, stat: fs.BigIntStats): FileHash | undefined {
    const entry = this.files[file];
    if (entry && entry[0] === Number(stat.ino) && entry[1] === Number(stat.size) && entry[2] === String(stat.mtimeNs)) {
      return { hash: entry[3], size: entry[1] };
    }
    return undefined;
  }

  async hash(file: string): Promise<FileHash> {
    const absolute = path.resolve(file);
    const before = fs.statSync(absolute, { bigint: true });
    const known = this.lookup(absolute, before);
    if (known) return known;
    return this.read(absolute, before);
  }

  /**
   * The hash of a file about to be moved (a stage's output in its staging dir), read and not recorded: a memo
   * entry would name a path that is gone once the entry is committed, and the committed path is recorded then
   * (remember). At 10,000 stages those entries were a third of the memo the runner holds.
   */
  async hashUnrecorded(file: string): Promise<FileHash> {
    const absolute = path.resolve(file);
    const before = fs.statSync(absolute, { bigint: true });
    return this.lookup(absolute, before) ?? this.read(absolute, before, false);
  }

  /** Reads the file whatever the memo says (fsck: bit rot keeps inode, size and mtime), and records what it found. */
  async rehash(file: string): Promise<FileHash> {
    const absolute = path.resolve(file);
    return this.read(absolute, fs.statSync(absolute, { bigint: true }));
  }

  private async read(absolute: string, before: fs.BigIntStats, record = true): Promise<FileHash> {
    const hash = await sha256File(absolute, Number(before.size));
    const after = fs.statSync(absolute, { bigint: true });
    this.bytesRead += Number(after.size);
    // A file that changed while we read it gets no memo entry: the next run reads it again.
    if (record && after.mtimeNs === before.mtimeNs && after.size === before.size) {
      this.remember(absolute, after, hash);
    }
    return { hash, size: Number(after.size) };
  }

  /** Records a hash known by other means (a file moved by rename keeps inode and mtime). */
  remember(file: string, stat: fs.BigIntStats, hash: string): void {
    this.files[path.resolve(file)] = [Number(stat.ino), Number(stat.size), String(stat.mtimeNs), hash];
    this.dirty = true;
  }

  forgetUnder(directory: string): void {
    const prefix = path.resolve(directory) + path.sep;
    for (const file of Object.keys(this.files)) {
      if (file.startsWith(prefix)) {
        delete this.files[file];
        this.dirty = true;
      }
    }
  }

  /** Writes the memo; a failure (a full disk) only costs re-hashing next time, so it is not an error. */
  save(): void {
    if (!this.dirty) return;
    for (const file of Object.keys(this.files)) {
      if (!fs.existsSync(file)) delete this.files[file];
    }
    try {
      fs.mkdirSync(path.dirname(this.memoPath), { recursive: true });
      writePiecesAtomicSync(this.memoPath, memoJson(this.files));
      this.dirty = false;
    } catch {
      // write-file-atomic removed its temporary file; the old memo, if any, is intact.
    }
  }
}

/**
 * JSON.stringify({ version: 1, files }) a file at a time: at 10,000 stages the memo is several MB, held twice
 * over (the text, its UTF-8 bytes) as one string, at the very end of a run, when the runner holds the most.
 */
export function* memoJson(files: Record<string, Entry>): Generator<string> {
  yield '{"version":1,"files":{';
  let first = true;
  for (const file of Object.keys(files)) {
    const value = JSON.stringify(files[file]);
    if (value === undefined) continue;
    yield `${first ? '' : ','}${JSON.stringify(file)}:${value}`;
    first = false;
  }
  yield '}}';
}
