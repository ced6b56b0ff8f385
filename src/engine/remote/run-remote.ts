// A run's use of the remote: fetch a stale stage's entry instead of running it, push what the run computed, one line per failure.
import fs from 'node:fs';
import { newRunId } from '../cache/run-dirs.js';
import { removeTree, type Entry } from '../cache/store.js';
import { readLock } from '../lock/lockfile.js';
import type { Project } from '../project.js';
import { fromSystemError, RemoteError } from './errors.js';
import { commitStaged, downloadEntry, type FetchContext, type StagedEntry } from './fetch-entry.js';
import { transferLimit, type Limit } from './parallel.js';
import { pushEntry } from './push-entry.js';
import { decodeRecord } from './record.js';
import type { Remote } from './remote.js';
import { resolveRemote, settingsFromEnv } from './resolve.js';

/** What the scheduler calls; it knows nothing else of remotes. */
export interface RemoteHooks {
  /**
   * The entry for a stale stage's key from the remote, committed to the local cache; undefined when the remote
   * lacks it or failed (the stage then runs). In a dry run nothing is fetched: the entry returned only stands
   * for what the remote holds (its manifest, no files), so downstream keys can still be computed.
   */
  fetch(stage: string, key: string, dryRun: boolean): Promise<Entry | undefined>;
  /** A stage this run computed: its entry is pushed in the background. */
  computed(stage: string, entry: Entry): void;
}

export interface RunRemoteOptions {
  fetch: boolean;
  push: boolean;
  /** A failing remote fails the run instead of the stage computing locally. */
  required: boolean;
}

export class RunRemote implements RemoteHooks {
  private usable = true;
  private workDir?: string;
  private readonly pushes: Promise<void>[] = [];
  private readonly limit: Limit;
  private pushedCount = 0;
  private firstPushFailure?: RemoteError;
  /** Fetches started before the scheduler reached their stage (prefetchLocked), by key. */
  private readonly ahead = new Map<string, Promise<StagedEntry | undefined>>();
  private closed = false;

  constructor(
    readonly remote: Remote,
    private readonly project: Project,
    private readonly options: RunRemoteOptions,
    private readonly note: (message: string) => void,
    connections: number,
  ) {
    this.limit = transferLimit(connections);
  }

  async fetch(stage: string, key: string, dryRun: boolean): Promise<Entry | undefined> {
    const early = dryRun ? undefined : this.ahead.get(key);
    if (!this.options.fetch || (!this.usable && !early)) return undefined;
    try {
      if (dryRun) {
        const bytes = await this.remote.getRecord(key);
        if (!bytes) return undefined;
        const { manifest, run } = decodeRecord(this.remote.name, key, bytes);
        return { key, dir: '', out: '', manifest, run };
      }
      if (early) this.ahead.delete(key);
      const staged = await (early ?? this.download(key));
      return staged && commitStaged(this.context(), staged);
    } catch (error) {
      this.failed(stage, 'fetch', error);
      return undefined;
    }
  }

  private context(): FetchContext {
    this.workDir ??= this.project.store.openRun(newRunId());
    return { remote: this.remote, store: this.project.store, hashes: this.project.hashes, limit: this.limit, workDir: this.workDir };
  }

  private download(key: string): Promise<StagedEntry | undefined> {
    return downloadEntry(this.context(), key);
  }

  /**
   * A fresh clone's run: the entries the lock names for these stages and cache/ lacks are downloaded all at
   * once into staging dirs, rather than one after another as the scheduler settles each stage; each becomes an
   * entry only when the scheduler asks for its key. Only locked keys missing here are asked for, so a no-op run
   * still makes no request; a download the scheduler never asks for (its inputs now give another key) is
   * dropped with the run's work dir.
   */
  prefetchLocked(stages: readonly string[]): void {
    if (!this.options.fetch || !this.usable) return;
    let locked: Record<string, { key?: string }>;
    try {
      locked = readLock(this.project.lockFile, this.project.lockMemo).stages;
    } catch {
      return; // The scheduler reports an unreadable lock.
    }
    for (const stage of stages) {
      const key = locked[stage]?.key;
      if (typeof key !== 'string' || this.ahead.has(key) || fs.existsSync(this.project.store.entryDir(key))) continue;
      const pending = this.download(key);
      // Awaited when the scheduler asks for this key, which reports a failure then; unasked, it is dropped.
      pending.catch(() => {});
      this.ahead.set(key, pending);
    }
  }

  computed(stage: string, entry: Entry): void {
    if (!this.options.push || !this.usable) return;
    this.pushes.push(
      pushEntry(this.remote, entry, this.limit).then(
        (outcome) => {
          if (outcome === 'pushed') this.pushedCount += 1;
        },
        (error: unknown) => {
          try {
            this.failed(stage, 'push', error);
          } catch (fatal) {
            this.firstPushFailure ??= fatal as RemoteError;
          }
        },
      ),
    );
  }

  /** Waits for the pushes; with --remote-required, a failed one fails the command now. */
  async finish(): Promise<void> {
    await Promise.allSettled(this.ahead.values());
    await Promise.all(this.pushes);
    if (this.pushedCount > 0) this.note(`pushed ${this.pushedCount} entr${this.pushedCount === 1 ? 'y' : 'ies'} to remote ${this.remote.name}`);
    if (this.firstPushFailure) throw this.firstPushFailure;
  }

  close(): void {
    this.closed = true;
    if (this.workDir) removeTree(this.workDir);
    this.remote.close();
  }

  /** One line for the failure; the stage computes locally (or is not pushed). Throws when the remote is required. */
  private failed(stage: string, action: 'fetch' | 'push', error: unknown): void {
    const failure = error instanceof RemoteError ? error : fromSystemError(`remote ${this.remote.name}`, error);
    if (this.options.required) throw failure;
    // Said once: downloads begun before the remote failed end the same way. After the run: nothing to tell.
    if (!this.usable || this.closed) return;
    const consequence = action === 'fetch' ? `${stage} computes locally` : `${stage} is not pushed`;
    if (failure.remoteUnusable) {
      this.usable = false;
      this.note(`${failure.message}; ${consequence}, and this run uses the remote no more`);
    } else {
      this.note(`${failure.message}; ${consequence}`);
    }
  }
}

/** The command-line side: --remote URL, --no-fetch, --no-push, --remote-required. */
export interface RemoteFlags {
  remote?: string;
  fetch?: boolean;
  push?: boolean;
  remoteRequired?: boolean;
}

/** The run's remote, or undefined when none is configured. Contacts nothing: a no-op run makes no request. */
export function openRunRemote(project: Project, flags: RemoteFlags, note: (message: string) => void): RunRemote | undefined {
  const remote = resolveRemote(project.pipeline, flags.remote);
  if (!remote) {
    if (flags.remoteRequired)
      throw new RemoteError('remote-config', `--remote-required: no remote; give --remote URL, set PIPELINE_REMOTE, or write \`cache: { remote: URL }\` in ${project.pipeline.source.file}`);
    return undefined;
  }
  const options = { fetch: flags.fetch !== false, push: flags.push !== false, required: flags.remoteRequired ?? false };
  return new RunRemote(remote, project, options, note, settingsFromEnv().connections);
}
