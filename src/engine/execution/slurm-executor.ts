// Runs stages as Slurm jobs through the Slurm client; loaded only by runs that ask for --executor slurm.
import { SlurmClient, startSlurmStage } from '../executors/slurm/index.js';
import type { Executor, ExecutorRequest } from './executor.js';
import type { RunningStage } from './local.js';

export interface SlurmSettings {
  partition?: string;
  account?: string;
  time?: string;
  extraArgs?: string[];
  /** One per run: the Slurm job name of all its jobs, so they can be found and cancelled together. */
  runTag: string;
  stateFile: string;
}

/** The Slurm job name of every job of one run. */
export function slurmRunTag(runId: string): string {
  return `linpath-${runId}`;
}

/**
 * After a runner died (kill -9), its jobs may still be queued or running. They are cancelled rather than
 * adopted: their staging dirs belonged to the dead run and are gone.
 */
export async function cancelRunsOf(runIds: readonly string[]): Promise<void> {
  const client = new SlurmClient();
  for (const runId of runIds) await client.cancelRun(slurmRunTag(runId)).catch(() => undefined);
}

export class SlurmExecutor implements Executor {
  readonly name = 'slurm';
  readonly placesGpus = true;
  private readonly client: SlurmClient;

  constructor(private readonly settings: SlurmSettings) {
    this.client = new SlurmClient({ partition: settings.partition, account: settings.account, time: settings.time, extraArgs: settings.extraArgs, stateFile: settings.stateFile });
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
    return {
      exit: running.exit.then((exit) => ({ exitCode: exit.exitCode, signal: exit.signal, why: exit.why })),
      kill: () => running.kill(),
    };
  }

  cancelAll(): Promise<void> {
    return this.client.cancelRun(this.settings.runTag);
  }

  close(): void {
    this.client.stopWaiting('the run ended');
  }
}
