// The shapes shared by the Slurm executor's parts: a job to submit and the status Slurm reports for it.

export interface SlurmJob {
  /** The stage's name; shown as the job's comment (`squeue -o %k`) and used for the script's file name. */
  name: string;
  /** One per run: every job of the run carries it as its Slurm job name, so a run can be found and cancelled. */
  runTag: string;
  /** Run with `bash -c` on the node; its exit code is the job's. */
  command: string;
  cwd: string;
  env: Record<string, string>;
  gpus: number;
  cpus: number;
  /** stdout and stderr together; its directory is created before submission. */
  logPath: string;
  /** Must be visible on the node, or the job fails with exit 97 before running anything. */
  cacheDir: string;
  /** Where the batch script is written. */
  scriptDir: string;
  partition?: string;
  account?: string;
  /** Slurm's time format: minutes, mm:ss, hh:mm:ss, d-hh:mm… */
  time?: string;
  /** Extra sbatch options, one `--flag=value` per element, written as `#SBATCH` lines. */
  extraArgs?: string[];
}

export type JobState = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'timeout' | 'node-fail' | 'out-of-memory' | 'unknown';

export interface JobStatus {
  state: JobState;
  /** Known once the job has finished. */
  exitCode?: number;
  /** The signal that ended the job's script, when one did. */
  signal?: number;
  /** Slurm's reason, e.g. `Resources`, `NonZeroExitCode`, `TimeLimit`. */
  reason?: string;
  /** Slurm's own word for the state, e.g. `PENDING`, `CANCELLED by 0`. */
  slurmState?: string;
  /** The job's Slurm name, which is the run tag of jobs submitted by this executor. */
  jobName?: string;
}

const finalStates: ReadonlySet<JobState> = new Set(['completed', 'failed', 'cancelled', 'timeout', 'node-fail', 'out-of-memory', 'unknown']);

/** A job in a final state will not change any more. `unknown` counts: Slurm has forgotten the job. */
export function isFinal(state: JobState): boolean {
  return finalStates.has(state);
}

export function isLive(state: JobState): boolean {
  return state === 'pending' || state === 'running';
}
