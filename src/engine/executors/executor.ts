// Where stage commands run: here (local process groups) or as Slurm jobs; the runner keeps hashing, caching and the lock.
import { startLocal, type RunningStage, type StageCommand } from './local.js';

export interface ExecutorRequest extends StageCommand {
  stage: string;
  gpus: number;
  cpus: number;
  /** The cache root: a Slurm job checks that its node sees it. */
  cacheDir: string;
  /** Where an executor may keep per-stage files (batch scripts). */
  workDir: string;
}

/** A stage already running for a dead runner, taken over: its staging dir is where its output appears. */
export interface Adopted {
  running: RunningStage;
  dir: string;
  note: string;
}

export interface Executor {
  readonly name: 'local' | 'slurm';
  /** True when the executor itself places stages on GPUs (Slurm's --gres), so the runner must not lease ids. */
  readonly placesGpus: boolean;
  start(request: ExecutorRequest): Promise<RunningStage>;
  /** Ctrl-C: every job of this run, including ones still being submitted. */
  cancelAll(): Promise<void>;
  /** A job of a dead run computing exactly this stage and key, if the executor can take one over. */
  adopt?(stage: string, key: string, cacheDir: string): Adopted | undefined;
  close(): Promise<void> | void;
}

export class LocalExecutor implements Executor {
  readonly name = 'local';
  readonly placesGpus = false;

  async start(request: ExecutorRequest): Promise<RunningStage> {
    return startLocal(request);
  }

  async cancelAll(): Promise<void> {}

  close(): void {}
}
