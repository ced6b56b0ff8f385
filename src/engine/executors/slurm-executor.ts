// Runs stages as Slurm jobs through the Slurm client; loaded only by runs that ask for --executor slurm.
import fs from 'node:fs';
import path from 'node:path';
import { attachSlurmStage, findLiveJobs, SlurmClient, startSlurmStage, type RunningSlurmStage } from './slurm/index.js';
import { safeName, type CacheStore } from '../cache/store.js';
import type { Adopted, Executor, ExecutorRequest } from './executor.js';
import { runOwnerAlive } from '../execution/orphans.js';
import type { RunningStage } from './local.js';

export interface SlurmSettings {
  partition?: string;
  account?: string;
  time?: string;
  extraArgs?: string[];
  /** One per run: the Slurm job name of all its jobs, so they can be found and cancelled together. */
  runTag: string;
  stateFile: string;
  /** Jobs of dead runs still queued or running, which this run may take over. */
  orphans: OrphanJob[];
}

/** A job submitted by a runner that died, with the staging dir it writes into and the key it computes. */
export interface OrphanJob {
  jobId: string;
  stage: string;
  runId: string;
  dir: string;
  /** Read from the staging dir; undefined when the runner died before writing it (never adopted). */
  key?: string;
}

const tagPrefix = 'linpath-';

/** The Slurm job name of every job of one run. */
export function slurmRunTag(runId: string): string {
  return `${tagPrefix}${runId}`;
}

/**
 * The live jobs of runners that died (kill -9, a lost login node). The caller keeps their staging dirs
 * (see reapDeadRuns' `keep`) so that the stages can re-attach to them instead of submitting duplicates.
 */
export async function findOrphanJobs(stateFile: string, store: CacheStore): Promise<OrphanJob[]> {
  const live = await findLiveJobs(stateFile).catch(() => []);
  const orphans: OrphanJob[] = [];
  for (const job of live) {
    if (!job.runTag.startsWith(tagPrefix)) continue;
    const runId = job.runTag.slice(tagPrefix.length);
    const runDir = path.join(store.tmp, runId);
    if (runOwnerAlive(runDir)) continue;
    const dir = path.join(runDir, safeName(job.name));
    let key: string | undefined;
    try {
      key = fs.readFileSync(path.join(dir, 'key'), 'utf8').trim();
    } catch {
      key = undefined;
    }
    orphans.push({ jobId: job.id, stage: job.name, runId, dir, key });
  }
  return orphans;
}

export class SlurmExecutor implements Executor {
  readonly name = 'slurm';
  readonly placesGpus = true;
  private readonly client: SlurmClient;
  private readonly orphans: OrphanJob[];

  constructor(private readonly settings: SlurmSettings) {
    this.client = new SlurmClient({ partition: settings.partition, account: settings.account, time: settings.time, extraArgs: settings.extraArgs, stateFile: settings.stateFile });
    this.orphans = [...settings.orphans];
  }

  private track(running: RunningSlurmStage): RunningStage {
    const exit = running.exit.then((result) => {
      void this.client.forget([running.jobId]).catch(() => undefined);
      return { exitCode: result.exitCode, signal: result.signal, why: result.why };
    });
    return { exit, kill: () => running.kill() };
  }

  async start(request: ExecutorRequest): Promise<RunningStage> {
    const running = await startSlurmStage(this.client, {
      name: request.stage,
      runTag: this.settings.runTag,
      command: request.command,
      cwd: request.cwd,
      env: request.env,
      gpus: request.gpus,
      cpus: request.cpus,
      logPath: request.logFile,
      cacheDir: request.cacheDir,
      scriptDir: request.workDir,
    });
    return this.track(running);
  }

  /** Takes over the dead run's job for this stage when it computes the same key. */
  adopt(stage: string, key: string, cacheDir: string): Adopted | undefined {
    const index = this.orphans.findIndex((orphan) => orphan.stage === stage && orphan.key === key);
    if (index < 0) return undefined;
    const [orphan] = this.orphans.splice(index, 1);
    const running = attachSlurmStage(this.client, orphan.jobId, { cacheDir, logPath: path.join(orphan.dir, 'log.txt') });
    return { running: this.track(running), dir: orphan.dir, note: `re-attached to Slurm job ${orphan.jobId} of an interrupted run` };
  }

  cancelAll(): Promise<void> {
    return this.client.cancelRun(this.settings.runTag);
  }

  /** Orphans nobody took over (their stage was fresh, or its inputs changed) are cancelled. */
  async close(): Promise<void> {
    if (this.orphans.length > 0) await this.client.cancel(this.orphans.map((orphan) => orphan.jobId)).catch(() => undefined);
    this.client.stopWaiting('the run ended');
  }
}
