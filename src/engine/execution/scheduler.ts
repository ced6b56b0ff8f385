// Walks the selected stages in dependency order: settles fresh ones, runs the rest concurrently within the resource pool.
import fs from 'node:fs';
import path from 'node:path';
import { ExitCode, PipelineError, SpecError } from '../errors.js';
import { newRunId } from '../cache/run-dirs.js';
import type { Entry } from '../cache/store.js';
import { removeTree } from '../cache/store.js';
import { DepEscapes, DepResolver, MissingDep } from '../fingerprint/deps.js';
import { hashDeps, toolchainStamp } from '../fingerprint/fingerprint.js';
import { upstreamRecord } from '../fingerprint/provenance.js';
import { ProgramImports } from '../fingerprint/program-imports.js';
import { readLock, writeLock, type LockFile } from '../lock/lockfile.js';
import { lockedFromEntry } from '../lock/locked-stage.js';
import type { Renderer } from '../logging/events.js';
import type { Project } from '../project.js';
import { locate } from '../pipeline/yaml-source.js';
import { decide, fingerprintOf, type Decision } from './evaluate.js';
import type { RunningStage } from '../executors/local.js';
import { LocalExecutor, type Executor } from '../executors/executor.js';
import { paceGarbageCollection } from './gc-pacing.js';
import { ResourcePool } from './pool.js';
import { PriorityQueue } from './priority-queue.js';
import { RunQueue } from './run-queue.js';
import { checkPublishDestinations, DamagedWhilePublishing, publishEntry } from './publish.js';
import { runStage, type RunContext } from './stage-runner.js';
import type { Selection } from './selection.js';
import type { RemoteHooks } from '../remote/run-remote.js';
import type { Resources } from '../pipeline/stage.js';

export interface RunOptions {
  force: boolean;
  dryRun: boolean;
  keepGoing: boolean;
  jobs: number;
  gpus: string[];
  gpuSource: string;
  /** True when the whole pipeline was selected: stages gone from pipeline.yaml then leave the lock. */
  pruneLock: boolean;
  /** False for `verify`, which must leave reports/ as it is. */
  publish?: boolean;
  /** Where commands run (default: here). Receives this run's id, which tags its Slurm jobs. */
  executor?: (runId: string) => Executor;
  /** A remote cache: stale stages whose key it has are fetched, not run; what runs is pushed (src/engine/remote/). */
  remote?: RemoteHooks;
  /** Extra environment for every command, outside the keys (`verify --backend`: the same stages, computed elsewhere). */
  commandEnv?: Record<string, string>;
}

export interface RunSummary {
  ran: string[];
  fresh: string[];
  restored: string[];
  failed: string[];
  skipped: string[];
  wouldRun: string[];
  interrupted: boolean;
  exitCode: number;
}

type State = 'waiting' | 'queued' | 'running' | 'settled' | 'failed' | 'skipped' | 'would-run';

interface QueuedStage {
  name: string;
  resources: Resources;
  decision: Extract<Decision, { outcome: 'needs-run' }>;
}

/** Resolves every stage's dep patterns up front, so a missing file is reported before anything runs. */
export function resolveDeps(project: Project, stages: readonly string[]): Map<string, string[]> {
  const resolver = new DepResolver(project.pipeline.root, new ProgramImports(project.pipeline.root, project.store.state, project.hashes));
  const files = new Map<string, string[]>();
  for (const name of stages) {
    const stage = project.pipeline.stages.get(name)!;
    try {
      files.set(name, resolver.files(stage.deps, stage.program));
    } catch (error) {
      if (!(error instanceof MissingDep)) throw error;
      throw new SpecError(error instanceof DepEscapes ? 'spec-path-escapes-root' : 'spec-missing-dep', locate(project.pipeline.source, [...stage.sourcePath, ...error.at]), error.message, {
        cause: error,
      });
    }
  }
  return files;
}

/** Longest chain of stages below each stage: starting long chains first keeps the pool busy until the end. */
function heights(project: Project, stages: readonly string[]): Map<string, number> {
  const height = new Map<string, number>();
  for (let index = stages.length - 1; index >= 0; index--) {
    let below = 0;
    for (const next of project.pipeline.dependents.get(stages[index]) ?? []) below = Math.max(below, height.get(next) ?? 0);
    height.set(stages[index], 1 + below);
  }
  return height;
}

/** What verifyInput gives for an entry this run wrote (read as it was hashed): one promise for all of them. */
const intact: Promise<string | undefined> = Promise.resolve(undefined);

export class Scheduler {
  private readonly state = new Map<string, State>();
  private readonly entries = new Map<string, Entry>();
  private readonly outputHashes = new Map<string, string>();
  private readonly verified = new Map<string, Promise<string | undefined>>();
  private readonly running = new Set<RunningStage>();
  /** Waiting stages to look at next, in selection order: the ones whose upstream just settled, failed or was skipped. */
  private readonly ready = new PriorityQueue<string>((a, b) => this.order.get(a)! < this.order.get(b)!);
  /** Per waiting stage, how many of its upstream stages have not settled yet. */
  private readonly unsettled = new Map<string, number>();
  /** Stages that must run, waiting for a CPU slot or GPU: longest chain below first, then selection order. */
  private readonly queue = new RunQueue<QueuedStage>((a, b) => {
    const taller = this.height.get(a.name)! - this.height.get(b.name)!;
    return taller !== 0 ? taller > 0 : this.order.get(a.name)! < this.order.get(b.name)!;
  });
  private readonly summary: RunSummary = { ran: [], fresh: [], restored: [], failed: [], skipped: [], wouldRun: [], interrupted: false, exitCode: 0 };
  private lock: LockFile;
  private lockDirty = false;
  private stopping = false;
  private pool: ResourcePool;
  private woken = false;
  private resume: () => void = () => {};
  private active = 0;
  private readonly order: Map<string, number>;
  private readonly height: Map<string, number>;
  private readonly runId = newRunId();
  private runDir?: string;
  private readonly executor: Executor;

  constructor(
    private readonly project: Project,
    private readonly selection: Selection,
    private readonly options: RunOptions,
    private readonly renderer: Renderer,
  ) {
    this.lock = this.readOwnLock();
    this.executor = options.executor?.(this.runId) ?? new LocalExecutor();
    this.pool = new ResourcePool(options.jobs, options.gpus);
    this.order = new Map(selection.stages.map((name, index) => [name, index]));
    this.height = heights(project, selection.stages);
  }

  private lockNote?: string;

  /**
   * The lock as it stands. An unreadable one (a merge conflict, a truncated write) stops status and dry
   * runs with its message; a real run starts from an empty lock and rewrites it from the entries it finds
   * in cache/ by key, as that message promises.
   */
  private readOwnLock(): LockFile {
    try {
      const lock = readLock(this.project.lockFile, this.project.lockMemo);
      // A lock an older linpath wrote holds durations and hosts: a real run rewrites it once without them.
      if (lock.stale && !this.options.dryRun) this.lockDirty = true;
      return lock;
    } catch (error) {
      if (!(error instanceof PipelineError) || this.options.dryRun) throw error;
      this.lockNote = `${error.message.split('; ')[0]}: this run rewrites it from what it finds in cache/ (stages it does not reach are left out until they run)`;
      this.lockDirty = true;
      return { version: 1, stages: {} };
    }
  }

  private memberKey = (stage: string): string => this.project.pipeline.stages.get(stage)?.memberKey ?? stage;

  private upstreamOf(name: string): string[] {
    const seen = new Set<string>();
    const visit = (stage: string) => {
      for (const input of this.project.pipeline.inputs.get(stage) ?? []) {
        for (const upstream of input.stages) {
          if (!seen.has(upstream)) {
            seen.add(upstream);
            visit(upstream);
          }
        }
      }
    };
    visit(name);
    // In selection order, as a filter of selection.stages would give, without walking every stage per call.
    return [...seen].filter((stage) => this.order.has(stage)).sort((a, b) => this.order.get(a)! - this.order.get(b)!);
  }

  /** A stage's upstream stages, each once. */
  private upstreamSet(name: string): Set<string> {
    return new Set((this.project.pipeline.inputs.get(name) ?? []).flatMap((input) => input.stages));
  }

  /**
   * A stage reached `state`: its waiting dependents are looked at again when the last of their upstream
   * settles, or at once when this one failed, was skipped or would run (they cannot run then).
   */
  private setOutcome(name: string, state: 'settled' | 'failed' | 'skipped' | 'would-run'): void {
    this.state.set(name, state);
    for (const next of new Set(this.project.pipeline.dependents.get(name) ?? [])) {
      if (this.state.get(next) !== 'waiting') continue;
      if (state !== 'settled') {
        this.ready.push(next);
        continue;
      }
      const left = this.unsettled.get(next)! - 1;
      this.unsettled.set(next, left);
      if (left === 0) this.ready.push(next);
    }
  }

  private wake(): void {
    this.woken = true;
    this.resume();
  }

  /** Ctrl-C: stop starting stages, kill the running ones' process groups; run() then cleans up and returns. */
  async interrupt(): Promise<void> {
    if (this.stopping && this.summary.interrupted) return;
    this.stopping = true;
    this.summary.interrupted = true;
    await Promise.all([...[...this.running].map((stage) => stage.kill()), this.executor.cancelAll()]);
    this.wake();
  }

  async run(): Promise<RunSummary> {
    const started = performance.now();
    const { pipeline } = this.project;
    const depFiles = resolveDeps(this.project, this.selection.stages);
    if (this.options.publish !== false) checkPublishDestinations(this.project, this.selection.stages);
    for (const name of this.selection.stages) {
      const stage = pipeline.stages.get(name)!;
      if (stage.resources.gpu > 0 && this.options.gpus.length > 0 && stage.resources.gpu > this.options.gpus.length) {
        throw new PipelineError(
          'not-enough-gpus',
          `${locateText(this.project, name)}: stage "${name}" needs ${stage.resources.gpu} GPUs but only ${this.options.gpus.length} are available (${this.options.gpus.join(',')})`,
        );
      }
    }
    this.renderer.event({ type: 'plan', stages: this.selection.stages, jobs: this.options.jobs, gpus: this.options.gpus, gpuSource: this.options.gpuSource, dryRun: this.options.dryRun });
    if (this.lockNote) this.renderer.event({ type: 'note', message: this.lockNote });
    const toolchain = toolchainStamp(pipeline.toolchainEnv);
    const depHashes = new Map<string, Record<string, string>>();
    const seen = new Map<string, Promise<string>>();
    await Promise.all(this.selection.stages.map(async (name) => depHashes.set(name, await hashDeps(pipeline.root, depFiles.get(name)!, this.project.hashes, seen))));
    if (!this.options.dryRun) this.runDir = this.project.store.openRun(this.runId);
    for (const name of this.selection.stages) {
      this.state.set(name, 'waiting');
      const upstream = this.upstreamSet(name).size;
      this.unsettled.set(name, upstream);
      if (upstream === 0) this.ready.push(name);
    }

    const context: RunContext = {
      project: this.project,
      runId: this.runId,
      runDir: this.runDir ?? '',
      executor: this.executor,
      commandEnv: this.options.commandEnv ?? {},
      track: (running) => {
        this.running.add(running);
        return () => this.running.delete(running);
      },
      verifyInput: (entry) => this.verifyInput(entry),
    };

    try {
      for (;;) {
        this.woken = false;
        await this.settleReady(depHashes, toolchain);
        this.dispatch(context);
        if (this.woken) continue; // A stage ended while we were busy: look again before sleeping.
        if (this.active === 0 && (this.queue.length === 0 || this.stopping)) break;
        await new Promise<void>((resolve) => (this.resume = resolve));
      }
    } finally {
      for (const [name, state] of this.state) {
        if (state === 'waiting' || state === 'queued') {
          this.state.set(name, 'skipped');
          this.summary.skipped.push(name);
          this.renderer.event({ type: 'skipped', stage: name, because: this.summary.interrupted ? 'interrupted' : this.blockedBecause(name) });
        }
      }
      await this.executor.close();
      this.finishLock();
      this.project.hashes.save();
      if (this.runDir) {
        this.recordRun();
        removeTree(this.runDir);
      }
    }
    const { ran, fresh, restored, failed, skipped } = this.summary;
    this.renderer.event({
      type: 'finished',
      ran: ran.length,
      fresh: fresh.length,
      restored: restored.length,
      failed: failed.length,
      skipped: skipped.length,
      seconds: (performance.now() - started) / 1000,
    });
    this.summary.exitCode = this.summary.interrupted ? ExitCode.interrupted : failed.length > 0 || (skipped.length > 0 && !this.options.dryRun) ? ExitCode.stageFailed : ExitCode.ok;
    return this.summary;
  }

  private blockedBecause(name: string): string {
    const failedUpstream = this.upstreamOf(name).filter((stage) => this.state.get(stage) === 'failed' || this.state.get(stage) === 'skipped');
    if (failedUpstream.length > 0) return `upstream ${failedUpstream[0]} did not complete`;
    return 'the run stopped after a failure (use --keep-going to finish independent stages)';
  }

  /**
   * Settles every stage whose inputs are all settled: fresh, restored, or queued to run. Only the stages
   * whose upstream changed are looked at (the ready queue), so a run of N stages costs O(N log N), not N².
   */
  private async settleReady(depHashes: Map<string, Record<string, string>>, toolchain: Record<string, string>): Promise<void> {
    if (this.stopping) return;
    for (let name = this.ready.pop(); name !== undefined; name = this.ready.pop()) {
      if (this.state.get(name) !== 'waiting') continue;
      const inputs = this.project.pipeline.inputs.get(name) ?? [];
      const upstreamStates = inputs.flatMap((input) => input.stages.map((stage) => this.state.get(stage)));
      if (upstreamStates.some((state) => state === 'failed' || state === 'skipped')) {
        this.setOutcome(name, 'skipped');
        this.summary.skipped.push(name);
        this.renderer.event({ type: 'skipped', stage: name, because: this.blockedBecause(name) });
        continue;
      }
      if (upstreamStates.some((state) => state === 'would-run')) {
        const pending = inputs.flatMap((input) => input.stages).filter((stage) => this.state.get(stage) === 'would-run');
        this.setOutcome(name, 'would-run');
        this.summary.wouldRun.push(name);
        this.renderer.event({
          type: 'would-run',
          stage: name,
          reasons: [`upstream ${pending[0]}${pending.length > 1 ? ` (+${pending.length - 1})` : ''} would run first (then only if its output changes)`],
        });
        continue;
      }
      if (!upstreamStates.every((state) => state === 'settled')) continue;
      const stage = this.project.pipeline.stages.get(name)!;
      const upstream = stage.provenance ? upstreamRecord(this.upstreamOf(name), this.entries) : undefined;
      const record = fingerprintOf(stage, inputs, depHashes.get(name)!, this.outputHashes, toolchain, this.memberKey, upstream);
      const forced = this.options.force && this.selection.named.has(name);
      const decision = await decide(this.project, stage, record, this.lock.stages[name], forced);
      if (decision.outcome === 'needs-run') {
        if (await this.settleFromRemote(name, decision, forced)) continue;
        if (this.options.dryRun) {
          this.setOutcome(name, 'would-run');
          this.summary.wouldRun.push(name);
          this.renderer.event({ type: 'would-run', stage: name, reasons: decision.reasons });
          continue;
        }
        if (decision.corrupt) {
          this.renderer.event({ type: 'corrupt', stage: name, why: decision.corrupt });
          this.project.store.discard(decision.key, this.project.hashes);
        }
        this.state.set(name, 'queued');
        this.queue.push({ name, resources: stage.resources, decision });
        continue;
      }
      const damage = await this.publish(name, decision.entry);
      if (damage) {
        // Nothing was published from it, and nothing downstream has read it yet: rebuild it like any damaged entry.
        this.renderer.event({ type: 'corrupt', stage: name, why: damage });
        this.project.store.discard(decision.key, this.project.hashes);
        this.state.set(name, 'queued');
        this.queue.push({
          name,
          resources: stage.resources,
          decision: { outcome: 'needs-run', key: decision.key, record: decision.record, reasons: [`cache entry damaged (${damage})`], corrupt: damage },
        });
        continue;
      }
      await this.settle(name, decision.entry, decision.outcome);
    }
  }

  /**
   * An input entry's bytes, re-read once per run before the first stage reads them: settling trusts the
   * memo's (inode, size, mtime), which bit rot leaves alone. Entries this run wrote were read as they were hashed.
   */
  private verifyInput(entry: Entry): Promise<string | undefined> {
    let pending = this.verified.get(entry.key);
    if (!pending) {
      pending = this.project.store.check(entry, this.project.hashes, true);
      this.verified.set(entry.key, pending);
    }
    return pending;
  }

  /** A stale stage whose key the remote has: fetched (every blob verified, committed atomically) instead of run. */
  private async settleFromRemote(name: string, decision: Extract<Decision, { outcome: 'needs-run' }>, forced: boolean): Promise<boolean> {
    if (!this.options.remote || forced || decision.corrupt) return false;
    const entry = await this.options.remote.fetch(name, decision.key, this.options.dryRun);
    if (!entry) return false;
    const damage = await this.publish(name, entry);
    if (damage) throw new Error(`the entry fetched from the remote is damaged (${damage})`);
    await this.settle(name, entry, 'restored', 'remote');
    return true;
  }

  private async settle(name: string, entry: Entry, outcome: 'fresh' | 'restored' | 'ran', from?: 'remote'): Promise<void> {
    this.setOutcome(name, 'settled');
    this.entries.set(name, entry);
    this.outputHashes.set(name, entry.manifest.output_hash);
    if (outcome === 'fresh') {
      this.summary.fresh.push(name);
      this.renderer.event({ type: 'fresh', stage: name });
    } else if (outcome === 'restored') {
      this.summary.restored.push(name);
      this.renderer.event({ type: 'restored', stage: name, key: entry.key, ...(from ? { from } : {}) });
    }
    if (this.options.dryRun) return;
    if (outcome !== 'fresh' || !this.lock.stages[name]) {
      this.lock.stages[name] = lockedFromEntry(entry);
      this.lockDirty = true;
      this.flushLock();
    }
  }

  /**
   * Copies what the stage publishes to its destinations, reading the bytes as they leave the cache. Returns
   * what is damaged when they differ from the manifest (nothing of that file is published).
   */
  private async publish(name: string, entry: Entry): Promise<string | undefined> {
    const publish = this.project.pipeline.stages.get(name)!.publish;
    if (this.options.dryRun || Object.keys(publish).length === 0 || this.options.publish === false) return undefined;
    try {
      for (const result of await publishEntry(this.project.pipeline.root, entry, publish, this.project.hashes)) {
        if (result.files > 0) this.renderer.event({ type: 'published', stage: name, destination: result.destination, files: result.files });
      }
    } catch (error) {
      if (error instanceof DamagedWhilePublishing) return error.message;
      throw error;
    }
    return undefined;
  }

  private dispatch(context: RunContext): void {
    if (this.stopping) return;
    this.queue.startEach(({ name, decision }) => {
      const stage = this.project.pipeline.stages.get(name)!;
      const lease = this.pool.tryAcquire(stage.resources);
      if (!lease) return false;
      this.state.set(name, 'running');
      this.active += 1;
      // Stages run: from here the runner's heap holds every settled stage's entry for the rest of the run.
      paceGarbageCollection();
      this.renderer.event({ type: 'start', stage: name, reasons: decision.reasons, gpus: lease.gpus });
      const job = {
        stage,
        inputs: this.project.pipeline.inputs.get(name) ?? [],
        key: decision.key,
        record: decision.record,
        lease,
        entries: this.entries,
        upstream: stage.provenance ? this.upstreamOf(name) : [],
      };
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.pool.release(lease);
        this.wake(); // Its slot can take the next stage while this one is hashed and committed.
      };
      void runStage(context, job, { exited: release, note: (message) => this.renderer.event({ type: 'note', message }) })
        .then(async (result) => {
          release();
          if (result.ok) {
            this.summary.ran.push(name);
            this.renderer.event({ type: 'done', stage: name, seconds: result.seconds, key: decision.key });
            this.verified.set(result.entry.key, intact);
            const damage = await this.publish(name, result.entry);
            if (damage) throw new Error(`its new cache entry is damaged (${damage})`);
            await this.settle(name, result.entry, 'ran');
            this.options.remote?.computed(name, result.entry);
          } else {
            this.setOutcome(name, 'failed');
            this.summary.failed.push(name);
            this.renderer.event({ type: 'failed', stage: name, why: this.summary.interrupted ? 'interrupted' : result.why, log: result.log, tail: this.summary.interrupted ? [] : result.tail });
            if (!this.options.keepGoing) this.stopping = true;
          }
        })
        .catch((error: unknown) => {
          release();
          this.setOutcome(name, 'failed');
          this.summary.failed.push(name);
          // A system error (a full disk, a permission) is the machine's, not the engine's: say it as it is.
          const why = typeof (error as NodeJS.ErrnoException).code === 'string' ? (error as Error).message : `internal error: ${(error as Error).message}`;
          this.renderer.event({ type: 'failed', stage: name, why, log: '', tail: [] });
          this.stopping = true;
        })
        .finally(() => {
          this.active -= 1;
          this.wake();
        });
      return true;
    });
  }

  private lastLockWrite = 0;
  private lockWriteMs = 0;

  /**
   * Writes the lock at most every two seconds while stages finish, and always at the end. A crash in
   * between loses nothing: the next run finds the committed entries by key and records them. Writing it
   * costs O(stages) (0.2 s at 10,000), so it is also spaced 20 times its own cost apart: at most 5 % of the run.
   */
  private flushLock(final = false): void {
    if (!this.lockDirty) return;
    if (!final && performance.now() - this.lastLockWrite < Math.max(2000, 20 * this.lockWriteMs)) return;
    const started = performance.now();
    writeLock(this.project.lockFile, this.lock, this.project.lockMemo);
    this.lockDirty = false;
    this.lastLockWrite = performance.now();
    this.lockWriteMs = this.lastLockWrite - started;
  }

  private finishLock(): void {
    if (this.options.dryRun) return;
    if (this.options.pruneLock && !this.summary.interrupted) {
      for (const name of Object.keys(this.lock.stages)) {
        if (!this.project.pipeline.stages.has(name)) {
          delete this.lock.stages[name];
          this.lockDirty = true;
        }
      }
    }
    this.flushLock(true);
  }

  /** Remembers which keys this run used, so `pipeline gc` keeps what recent runs need. */
  private recordRun(): void {
    const keys = Object.fromEntries([...this.entries].map(([name, entry]) => [name, entry.key]));
    const file = path.join(this.project.store.state, 'runs.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.appendFileSync(file, `${JSON.stringify({ run: this.runId, finished: new Date().toISOString(), keys })}\n`);
  }
}

function locateText(project: Project, name: string): string {
  const where = locate(project.pipeline.source, [...project.pipeline.stages.get(name)!.sourcePath, 'resources']);
  return `${where.file}:${where.line ?? '?'}`;
}
