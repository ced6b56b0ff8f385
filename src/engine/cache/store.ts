// The content-addressed store of stage outputs: entries by key, staging dirs per run, scratch dirs per key.
import fs from 'node:fs';
import path from 'node:path';
import { PipelineError } from '../errors.js';
import type { FingerprintRecord } from '../fingerprint/fingerprint.js';
import type { FileHashes } from '../fingerprint/file-hashes.js';
import { ownCopy } from './hard-links.js';
import { sharedWhereSame } from './json-copy.js';
import { manifestProblem, runRecordProblem } from './entry-shape.js';
import { findManifestMismatch, type Manifest } from './manifest.js';
import { createRunDir, discardedName } from './run-dirs.js';

/**
 * The run record: the run that made this entry, kept in it (run.json) so a cache hit restores the lock's
 * part. The lock takes what follows from inputs and results; duration, host, run id and time stay here.
 */
export interface RunRecord {
  stage: string;
  key: string;
  output_hash: string;
  duration_s: number;
  ran_on: { host: string; executor: string; gpus?: string };
  /** Absent in entries written before run records carried them. */
  run_id?: string;
  finished?: string;
  /** All of PIPELINE_INFO; the lock keeps its machine-class part. */
  info?: Record<string, string | number | boolean>;
  metrics?: Record<string, number>;
  record: FingerprintRecord;
}

export interface Entry {
  key: string;
  dir: string;
  out: string;
  manifest: Manifest;
  run: RunRecord;
}

export interface Staging {
  dir: string;
  out: string;
  log: string;
  info: string;
  params: string;
  upstream: string;
  /** The stage's key, so a later run can tell whether a job still writing here computes what it needs. */
  key: string;
  /** The command, when it is too long to pass as an argument. */
  command: string;
}

export function safeName(stage: string): string {
  return stage.replace(/[^A-Za-z0-9_.@=+:-]/g, '_');
}

export class CacheStore {
  readonly entries: string;
  readonly tmp: string;
  readonly scratch: string;
  readonly logs: string;
  readonly state: string;

  constructor(readonly dir: string) {
    this.entries = path.join(dir, 'entries');
    this.tmp = path.join(dir, 'tmp');
    this.scratch = path.join(dir, 'scratch');
    this.logs = path.join(dir, 'logs');
    this.state = path.join(dir, 'state');
  }

  /**
   * Refuses a cache whose own directories are files or other non-directories: nothing would work, and
   * they are not the runner's to delete (PIPELINE_CACHE_DIR may be shared). One message naming the path.
   */
  checkLayout(): void {
    for (const dir of [this.dir, this.entries, this.tmp, this.scratch, this.logs, this.state]) {
      const stat = fs.statSync(dir, { throwIfNoEntry: false });
      if (stat && !stat.isDirectory()) {
        const role = dir === this.dir ? 'the cache' : `the cache's ${path.basename(dir)}/ directory`;
        throw new PipelineError('cache-layout', `${dir} should be ${role} but is not a directory; move it away and run again`);
      }
    }
  }

  entryDir(key: string): string {
    return path.join(this.entries, key);
  }

  read(key: string): Entry | undefined {
    const found = this.inspect(key);
    return found && 'damaged' in found ? undefined : found;
  }

  /**
   * The entry for `key`; `{ damaged }` when its directory exists but cannot be used (a manifest or run
   * record missing, unparsable or of the wrong shape, no out/): the caller sets it aside and rebuilds it.
   */
  inspect(key: string): Entry | { damaged: string } | undefined {
    const dir = this.entryDir(key);
    if (!fs.existsSync(dir)) return undefined;
    const parsed: unknown[] = [];
    for (const name of ['manifest.json', 'run.json']) {
      try {
        parsed.push(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return { damaged: code === 'ENOENT' ? `${name} is missing` : `${name} is unreadable` };
      }
    }
    const problem = manifestProblem(parsed[0]) ?? runRecordProblem(parsed[1]);
    if (problem) return { damaged: problem };
    const out = path.join(dir, 'out');
    if (!fs.statSync(out, { throwIfNoEntry: false })?.isDirectory()) return { damaged: 'out/ is missing' };
    return { key, dir, out, manifest: parsed[0] as Manifest, run: parsed[1] as RunRecord };
  }

  /** An entry is used only after its bytes match its manifest; returns why not, when they don't. */
  async check(entry: Entry, hashes: FileHashes, reread = false): Promise<string | undefined> {
    try {
      return await findManifestMismatch(entry.out, entry.manifest, hashes, reread);
    } catch (error) {
      return `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    }
  }

  /** Moves a damaged entry out of the way (atomically), then deletes it. */
  discard(key: string, hashes: FileHashes): void {
    const dir = this.entryDir(key);
    if (this.removeEntryDir(key)) hashes.forgetUnder(dir);
  }

  /**
   * Renames an entry out of `entries/` before deleting it, so readers see it whole or not at all; false when
   * there was nothing to remove.
   */
  private removeEntryDir(key: string): boolean {
    const aside = path.join(this.tmp, discardedName(key));
    fs.mkdirSync(this.tmp, { recursive: true });
    try {
      fs.renameSync(this.entryDir(key), aside);
    } catch {
      return false;
    }
    removeTree(aside);
    return true;
  }

  /** A directory owned by this run; a later run that finds its owner dead cleans it up. */
  openRun(runId: string): string {
    return createRunDir(this.tmp, runId);
  }

  stage(runDir: string, stage: string): Staging {
    const dir = path.join(runDir, safeName(stage));
    removeTree(dir);
    fs.mkdirSync(path.join(dir, 'out'), { recursive: true });
    return this.stagingAt(dir);
  }

  /** The paths of a staging dir that already exists (one a dead run's job is still writing into). */
  stagingAt(dir: string): Staging {
    return {
      dir,
      out: path.join(dir, 'out'),
      log: path.join(dir, 'log.txt'),
      info: path.join(dir, 'info.json'),
      params: path.join(dir, 'params.json'),
      upstream: path.join(dir, 'upstream.json'),
      key: path.join(dir, 'key'),
      command: path.join(dir, 'command.sh'),
    };
  }

  /**
   * Publishes a finished staging dir as the entry for `key`: manifest and run record are written inside
   * it first, so the rename makes a complete entry visible in one step or not at all.
   */
  commit(staging: Staging, key: string, manifest: Manifest, run: RunRecord): Entry {
    for (const scratchFile of [staging.info, staging.params, staging.upstream, staging.key, staging.command]) fs.rmSync(scratchFile, { force: true });
    fs.rmSync(path.join(staging.dir, 'in'), { recursive: true, force: true });
    // Plain writes: the staging dir is not an entry until the rename below, which is the atomic step.
    const manifestText = JSON.stringify(manifest, null, 1);
    const runText = JSON.stringify(run, null, 1);
    fs.writeFileSync(path.join(staging.dir, 'manifest.json'), manifestText);
    fs.writeFileSync(path.join(staging.dir, 'run.json'), runText);
    for (const file of manifest.files) {
      // The runner detached hard links before hashing; a link made since then (a stage's leftover child) is copied too.
      const full = path.join(staging.out, file.path);
      ownCopy(full);
      fs.chmodSync(full, 0o444);
    }
    fs.mkdirSync(this.entries, { recursive: true });
    // A forced rerun replaces the entry: the old one goes first, so readers see old or new, never a mix.
    this.removeEntryDir(key);
    const dir = this.entryDir(key);
    fs.renameSync(staging.dir, dir);
    // What read(key) would return, from the text just written rather than read back (two reads a stage),
    // sharing what is the same as the objects given (a 10,000-stage run keeps every settled stage's entry).
    return {
      key,
      dir,
      out: path.join(dir, 'out'),
      manifest: sharedWhereSame(JSON.parse(manifestText), manifest) as Manifest,
      run: sharedWhereSame(JSON.parse(runText), run) as RunRecord,
    };
  }

  scratchDir(key: string): string {
    const dir = path.join(this.scratch, key);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  listKeys(): string[] {
    try {
      return fs.readdirSync(this.entries).filter((name) => /^[0-9a-f]{64}$/.test(name));
    } catch {
      return [];
    }
  }
}

/** rm -rf that also works on the read-only files of a cache entry. */
export function removeTree(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
