// `pipeline run`: take the project lock, clean up after dead runs, schedule the selected stages, report.
import os from 'node:os';
import path from 'node:path';
import { PipelineError } from '../errors.js';
import { madeByRunner } from '../cache/run-dirs.js';
import { removeTree } from '../cache/store.js';
import { discoverGpus } from '../execution/gpus.js';
import type { OrphanJob } from '../executors/slurm-executor.js';
import { reapDeadRuns } from '../execution/orphans.js';
import { Scheduler, type RunSummary } from '../execution/scheduler.js';
import { stopOnSignals } from '../execution/stop-on-signals.js';
import { selectStages } from '../execution/selection.js';
import { rememberLockFile } from '../lock/known-locks.js';
import { acquireRunLock } from '../lock/run-lock.js';
import type { Renderer } from '../logging/events.js';
import { openProjectFile } from '../project.js';
import { parseOverride } from '../pipeline/overrides.js';
import { openRunRemote, type RemoteFlags } from '../remote/run-remote.js';

export interface RunCommandOptions extends RemoteFlags {
  file: string;
  stages: string[];
  force?: boolean;
  downstream?: boolean;
  dryRun?: boolean;
  keepGoing?: boolean;
  jobs?: number;
  gpus?: string;
  backend?: string;
  waitSeconds?: number;
  executor?: 'local' | 'slurm';
  partition?: string;
  account?: string;
  time?: string;
  slurmArg?: string[];
  /** --set PATH=VALUE: params overridden for this run, as if written in pipeline.yaml. */
  set?: string[];
}

export async function runCommand(options: RunCommandOptions, renderer: Renderer): Promise<RunSummary> {
  if (options.backend) process.env.PIPELINE_BACKEND = options.backend;
  const project = openProjectFile(options.file, (options.set ?? []).map(parseOverride));
  const { pipeline } = project;
  const selection = selectStages(pipeline, options.stages, options.downstream ?? false);
  const executorKind = options.executor ?? pipeline.executor.kind ?? 'local';
  if (executorKind !== 'local' && executorKind !== 'slurm') throw new PipelineError('bad-usage', `--executor ${executorKind}: expected "local" or "slurm"`);
  const slurm = executorKind === 'slurm';
  if (slurm && options.gpus !== undefined) throw new PipelineError('bad-usage', '--gpus applies to the local executor; with --executor slurm, Slurm places GPU stages (--gres=gpu:N)');
  const needsGpus = !slurm && selection.stages.some((name) => pipeline.stages.get(name)!.resources.gpu > 0);
  // nvidia-smi costs ~100 ms: ask it only when some stage could use a GPU.
  const gpus = needsGpus ? discoverGpus(options.gpus) : { ids: [], source: slurm ? 'Slurm places GPU stages' : 'no stage asks for a GPU' };
  const slurmDefaults = pipeline.executor;
  const slurmModule = slurm ? await import('../executors/slurm-executor.js') : undefined;
  const stateFile = path.join(project.store.state, 'slurm-jobs.json');
  project.store.checkLayout();
  // Resolved (and a bad one refused) before the project lock; nothing is contacted until a stage is stale.
  const remote = openRunRemote(project, options, (message) => renderer.event({ type: 'note', message }));
  const lock = options.dryRun ? undefined : await acquireRunLock(project.runLockFile, `pipeline run ${options.stages.join(' ')}`.trim(), (options.waitSeconds ?? 0) * 1000);
  const adoptable = new Set<string>();
  try {
    let orphans: OrphanJob[] = [];
    if (lock) {
      rememberLockFile(project.store.state, project.lockFile);
      if (slurmModule) orphans = await slurmModule.findOrphanJobs(stateFile, project.store);
      for (const orphan of orphans) adoptable.add(orphan.runId);
      const reaped = reapDeadRuns(project.store.tmp, adoptable);
      if (reaped.length + adoptable.size > 0)
        renderer.event({
          type: 'note',
          message: `cleaned up after ${reaped.length + adoptable.size} interrupted run(s)${orphans.length > 0 ? `; ${orphans.length} of their Slurm job(s) still live, to take over where the inputs still match` : ''}`,
        });
    }
    const executor = slurmModule
      ? (runId: string) =>
          new slurmModule.SlurmExecutor({
            runTag: slurmModule.slurmRunTag(runId),
            partition: options.partition ?? slurmDefaults.partition,
            account: options.account ?? slurmDefaults.account,
            time: options.time ?? slurmDefaults.time,
            extraArgs: [...(slurmDefaults.slurm_args ?? []), ...(options.slurmArg ?? [])],
            stateFile,
            orphans,
          })
      : undefined;
    const scheduler = new Scheduler(
      project,
      selection,
      {
        force: options.force ?? false,
        dryRun: options.dryRun ?? false,
        keepGoing: options.keepGoing ?? false,
        // Under Slurm the cluster decides how many run at once; --jobs only caps submissions.
        jobs: options.jobs ?? (slurm ? 256 : Math.max(1, os.availableParallelism())),
        gpus: gpus.ids,
        gpuSource: gpus.source,
        pruneLock: options.stages.length === 0,
        executor,
        remote,
      },
      renderer,
    );
    const stopListening = stopOnSignals(scheduler, renderer);
    try {
      // A fresh clone fetches every locked entry it lacks at once, while the scheduler fingerprints.
      if (!options.force && !options.dryRun) remote?.prefetchLocked(selection.stages);
      const summary = await scheduler.run();
      await remote?.finish();
      return summary;
    } finally {
      stopListening();
    }
  } finally {
    // What the adopted jobs wrote has been committed (or they were cancelled): their dead runs' dirs can go.
    for (const runId of adoptable) if (madeByRunner(project.store.tmp, runId) === 'run') removeTree(path.join(project.store.tmp, runId));
    remote?.close();
    lock?.release();
  }
}
