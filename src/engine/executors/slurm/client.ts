// The Slurm client: submits jobs as sbatch scripts, watches them with one batched poller, cancels a run, re-attaches after a crash.
import os from 'node:os';
import { writeBatchScript } from './batch-script.js';
import { cancelJobs, cancelRunJobs } from './cancel.js';
import { createCommandRunner, type SlurmCommandRunner } from './command.js';
import { detectAccounting } from './accounting.js';
import { queryJobs } from './poll.js';
import { JobPoller } from './poller.js';
import { findLiveJobs, forgetJobs, recordJob, type LiveJob } from './recover.js';
import { submitBatchScript } from './submit.js';
import type { JobStatus, SlurmJob } from './types.js';

export interface SlurmClientOptions {
  /** Defaults for every job that does not name its own. */
  partition?: string;
  account?: string;
  time?: string;
  /** Added to every job's `#SBATCH` lines (`--slurm-arg`). */
  extraArgs?: string[];
  /** Environment for Slurm's commands, e.g. `{ SLURM_CONF }` for a cluster whose config is not in /etc/slurm. */
  env?: Record<string, string>;
  /** JSON file where submitted job ids are recorded, for `findLiveJobs` after a crash. */
  stateFile?: string;
  /** Whether sacct can be asked; detected once (`scontrol show config`) when not given. */
  accounting?: boolean;
  pollMinMs?: number;
  pollMaxMs?: number;
  /** Substitute for running Slurm's programs (tests, dry runs). */
  runner?: SlurmCommandRunner;
}

export class SlurmClient {
  private readonly run: SlurmCommandRunner;
  private readonly poller: JobPoller;
  private accounting?: Promise<boolean>;
  /** Submissions under way: cancelling a run waits for them, or a job submitted a moment later would escape. */
  private readonly submitting = new Set<Promise<string>>();

  constructor(private readonly options: SlurmClientOptions = {}) {
    this.run = options.runner ?? createCommandRunner({ env: options.env });
    if (options.accounting !== undefined) this.accounting = Promise.resolve(options.accounting);
    this.poller = new JobPoller({
      query: (ids) => this.poll(ids),
      minDelayMs: options.pollMinMs,
      maxDelayMs: options.pollMaxMs,
    });
  }

  /** Writes the job's batch script, submits it and records its id; returns the id. */
  submit(job: SlurmJob): Promise<string> {
    const submission = this.submitNow(job);
    this.submitting.add(submission);
    const settled = () => this.submitting.delete(submission);
    submission.then(settled, settled);
    return submission;
  }

  private async submitNow(job: SlurmJob): Promise<string> {
    const withDefaults: SlurmJob = {
      ...job,
      partition: job.partition ?? this.options.partition,
      account: job.account ?? this.options.account,
      time: job.time ?? this.options.time,
      extraArgs: [...(this.options.extraArgs ?? []), ...(job.extraArgs ?? [])],
    };
    const script = await writeBatchScript(withDefaults);
    const id = await submitBatchScript(this.run, script);
    if (this.options.stateFile) {
      try {
        await recordJob(this.options.stateFile, { id, name: job.name, runTag: job.runTag, submittedAt: new Date().toISOString() });
      } catch (error) {
        // An unrecorded job would be submitted again after a crash: better not to have it at all.
        await cancelJobs(this.run, [id]).catch(() => undefined);
        throw error;
      }
    }
    return id;
  }

  /** Whether the cluster keeps accounting, asked once. */
  hasAccounting(): Promise<boolean> {
    this.accounting ??= detectAccounting(this.run);
    return this.accounting;
  }

  /** One batched query for the status of every id. */
  async poll(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    return queryJobs(this.run, ids, { accounting: await this.hasAccounting() });
  }

  /** Resolves with the job's final status; all jobs waited on share one poller, so one query serves them all. */
  wait(id: string, onChange?: (status: JobStatus) => void): Promise<JobStatus> {
    return this.poller.watch(id, onChange);
  }

  async waitAll(ids: readonly string[], onChange?: (id: string, status: JobStatus) => void): Promise<Map<string, JobStatus>> {
    const finals = await Promise.all(ids.map((id) => this.wait(id, onChange && ((status) => onChange(id, status)))));
    return new Map(ids.map((id, i) => [id, finals[i]]));
  }

  /** Stops waiting (pending waits reject with reason `interrupted`); the jobs themselves keep running. */
  stopWaiting(message?: string): void {
    this.poller.stop(message);
  }

  cancel(ids: readonly string[]): Promise<void> {
    return cancelJobs(this.run, ids);
  }

  /** Cancels every job of the run, found by its job name, recorded or not, once the submissions under way are in. */
  async cancelRun(runTag: string): Promise<void> {
    await Promise.allSettled([...this.submitting]);
    await cancelRunJobs(this.run, runTag, os.userInfo().username);
  }

  /** The recorded jobs still pending or running, to wait on instead of submitting their stages again. */
  findLiveJobs(): Promise<LiveJob[]> {
    if (!this.options.stateFile) return Promise.resolve([]);
    return findLiveJobs(this.options.stateFile, (ids) => this.poll(ids));
  }

  /** Drops finished jobs from the record. */
  forget(ids: readonly string[]): Promise<void> {
    return this.options.stateFile ? forgetJobs(this.options.stateFile, ids) : Promise.resolve();
  }
}
