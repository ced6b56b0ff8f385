// Runs one stage as a Slurm job behind the same shape as a local process: an `exit` promise and a `kill`.
import os from 'node:os';
import { CACHE_NOT_VISIBLE_EXIT } from './batch-script.js';
import type { SlurmClient } from './client.js';
import type { JobState, JobStatus, SlurmJob } from './types.js';

export interface SlurmStageExit {
  /** Never 0 unless Slurm says COMPLETED: a job cancelled while pending has no exit code of its own. */
  exitCode?: number;
  /** The signal that ended the job's script, e.g. `SIGTERM` when Slurm killed it at its time limit. */
  signal?: string;
  state: JobState;
  jobId: string;
  /** For a job that did not complete: what Slurm says happened, e.g. `Slurm job 12 TIMEOUT (TimeLimit)`. */
  why?: string;
}

export interface RunningSlurmStage {
  /** There is no local process; kept so the shape matches a local stage. */
  pid?: undefined;
  jobId: string;
  exit: Promise<SlurmStageExit>;
  /** Cancels the job (scancel) and waits until Slurm reports it finished. */
  kill(): Promise<void>;
}

function signalName(signal: number | undefined): string | undefined {
  if (!signal) return undefined;
  const entry = Object.entries(os.constants.signals).find(([, number]) => number === signal);
  return entry ? entry[0] : `signal ${signal}`;
}

/** Where the job's files were meant to be, to explain the failures that come from a node not seeing them. */
export interface JobPlaces {
  cacheDir?: string;
  logPath?: string;
}

/**
 * When the node cannot see the cache the log cannot be written either, so the batch script's own message is lost:
 * say it here too.
 */
function hint(status: JobStatus, places: JobPlaces): string {
  if (status.exitCode === CACHE_NOT_VISIBLE_EXIT && places.cacheDir) {
    return `; exit ${CACHE_NOT_VISIBLE_EXIT}: the node could not see the cache directory ${places.cacheDir} (the cache must live on a filesystem every node sees)`;
  }
  if (status.reason === 'JobLaunchFailure' && places.logPath) {
    return `; Slurm could not launch it: can the node write its log ${places.logPath}? (the cache must live on a filesystem every node sees)`;
  }
  return '';
}

/** Turns Slurm's final word on a job into the exit a stage runner understands. */
export function stageExitOf(jobId: string, status: JobStatus, places: JobPlaces = {}): SlurmStageExit {
  const signal = signalName(status.signal);
  if (status.state === 'completed' && (status.exitCode ?? 0) === 0 && !signal) {
    return { exitCode: 0, state: status.state, jobId };
  }
  const word = status.slurmState ?? status.state.toUpperCase();
  const why = `Slurm job ${jobId} ${word}${status.reason ? ` (${status.reason})` : ''}${hint(status, places)}`;
  const exitCode = status.exitCode === undefined || status.exitCode === 0 ? (signal ? undefined : 1) : status.exitCode;
  return { exitCode, signal, state: status.state, jobId, why };
}

function track(client: SlurmClient, jobId: string, places: JobPlaces): RunningSlurmStage {
  const exit = client.wait(jobId).then((status) => stageExitOf(jobId, status, places));
  return {
    jobId,
    exit,
    async kill() {
      await client.cancel([jobId]);
      await exit.catch(() => undefined);
    },
  };
}

export async function startSlurmStage(client: SlurmClient, job: SlurmJob): Promise<RunningSlurmStage> {
  return track(client, await client.submit(job), { cacheDir: job.cacheDir, logPath: job.logPath });
}

/** Follows a job submitted by an earlier runner (see findLiveJobs) instead of submitting the stage again. */
export function attachSlurmStage(client: SlurmClient, jobId: string, places: JobPlaces = {}): RunningSlurmStage {
  return track(client, jobId, places);
}
