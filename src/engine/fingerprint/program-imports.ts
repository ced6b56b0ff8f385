// A stage's `program:` and the files it imports, memoized by the content hashes of those files: a no-op run stats
// them (through the file-hash memo) and bundles nothing; an edit to any of them follows the imports again.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../cache/atomic.js';
import type { FileHashes } from './file-hashes.js';
import { followImports } from './follow-imports.js';

/** Bump when followImports finds files differently: every memo entry is then recomputed. */
const memoVersion = 2;

interface MemoFile {
  version: number;
  /** Absolute entry file (projects may share a cache) → (project-relative file it runs → its sha256 when followed). */
  programs: Record<string, Record<string, string>>;
}

export class ProgramImports {
  private memo: MemoFile | undefined;
  private readonly memoFile: string;

  constructor(
    private readonly root: string,
    stateDir: string,
    private readonly hashes: FileHashes,
  ) {
    this.memoFile = path.join(stateDir, 'program-imports.json');
  }

  private load(): MemoFile {
    if (this.memo) return this.memo;
    try {
      const memo = JSON.parse(fs.readFileSync(this.memoFile, 'utf8')) as MemoFile;
      if (memo.version === memoVersion && memo.programs) return (this.memo = memo);
    } catch {
      // A missing or unreadable memo only costs following the imports again.
    }
    return (this.memo = { version: memoVersion, programs: {} });
  }

  /** The file's content hash, read only when the file-hash memo does not know its (inode, size, mtime); undefined if gone. */
  private contentHash(file: string): string | undefined {
    const absolute = path.join(this.root, file);
    let stat: fs.BigIntStats;
    try {
      stat = fs.statSync(absolute, { bigint: true });
    } catch {
      return undefined;
    }
    const known = this.hashes.lookup(absolute, stat);
    if (known) return known.hash;
    const hash = createHash('sha256').update(fs.readFileSync(absolute)).digest('hex');
    // Source files are small: hashing them here spares hashDeps a second read.
    this.hashes.remember(absolute, stat, hash);
    return hash;
  }

  /** Project-relative, sorted paths of the entry and every project file it runs. */
  files(entry: string): string[] {
    const memo = this.load();
    const key = path.join(this.root, entry);
    const known = memo.programs[key];
    if (known && Object.entries(known).every(([file, hash]) => this.contentHash(file) === hash)) return Object.keys(known);
    const files = followImports(this.root, entry);
    const record: Record<string, string> = {};
    for (const file of files) record[file] = this.contentHash(file) ?? '';
    memo.programs[key] = record;
    try {
      fs.mkdirSync(path.dirname(this.memoFile), { recursive: true });
      writeFileAtomicSync(this.memoFile, JSON.stringify(memo), false);
    } catch {
      // Only a speed-up.
    }
    return files;
  }
}
