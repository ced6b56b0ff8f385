// Runs one stage that must run: stages its output dir and inputs, executes the command, and commits or reports the failure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { safeName, type Entry, type Staging } from '../cache/store.js';
import { detachHardLinks } from '../cache/hard-links.js';
import { buildManifest } from '../cache/manifest.js';
import { rememberListing } from '../cache/listing-memo.js';
import { upstreamFile } from '../fingerprint/provenance.js';
import type { Project } from '../project.js';
import type { StageInput } from '../pipeline/graph.js';
import type { StageDefinition } from '../pipeline/stage.js';
import { renderCommand } from '../pipeline/command.js';
import { quoteFor } from '../pipeline/shell-words.js';
import type { Executor } from '../executors/executor.js';
import { tailOfLog, type RunningStage } from '../executors/local.js';
import { MetricsError, readMetrics } from './metrics.js';
import type { Lease } from './pool.js';

export type StageResult = { ok: true; entry: Entry; seconds: number } | { ok: false; why: string; log: string; tail: string[] };

export interface StageJob {
  stage: StageDefinition;
  inputs: readonly StageInput[];
  key: string;
  record: Entry['run']['record'];
  lease: Lease;
  /** Entries of every settled stage, for inputs and provenance. */
  entries: ReadonlyMap<string, Entry>;
  /** Every stage this one depends on, transitively, for PIPELINE_UPSTREAM; empty for a stage without `provenance: true`. */
  upstream: readonly string[];
}

export interface RunContext {
  project: Project;
  runId: string;
  runDir: string;
  executor: Executor;
  /** Added to every command's environment, not part of its key (see RunOptions.commandEnv). */
  commandEnv: Record<string, string>;
  /** Lets the scheduler kill the process on Ctrl-C. */
  track(running: RunningStage): () => void;
  /** Re-reads an input entry's bytes against its manifest (once per run); returns what is damaged. */
  verifyInput(entry: Entry): Promise<string | undefined>;
}

export interface StageHooks {
  /** Called as soon as the process has exited, before hashing: its CPU slot or GPU is free again. */
  exited(): void;
  /** Something the user should know about this stage's run (e.g. it took over a dead run's job). */
  note?(message: string): void;
}

export function environmentName(input: string): string {
  return `PIPELINE_IN_${input.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The inputs a dead run staged for a job this run adopts: same key, so the same upstream outputs. */
function adoptedInputs(staging: Staging, job: StageJob): Record<string, string> {
  return Object.fromEntries(job.inputs.map((input) => [input.name, input.isGroup ? path.join(staging.dir, 'in', safeName(input.name)) : job.entries.get(input.stages[0])!.out]));
}

/** A group input is a directory of symlinks, one per member, named by the member's key. */
function stageInputs(staging: Staging, job: StageJob): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const input of job.inputs) {
    if (!input.isGroup) {
      paths[input.name] = job.entries.get(input.stages[0])!.out;
      continue;
    }
    const dir = path.join(staging.dir, 'in', safeName(input.name));
    fs.mkdirSync(dir, { recursive: true });
    for (const member of input.stages) {
      const memberKey = member.slice(input.target.length + 1);
      fs.symlinkSync(job.entries.get(member)!.out, path.join(dir, memberKey));
    }
    paths[input.name] = dir;
  }
  return paths;
}

/**
 * The first damaged input entry, dropped so the next run rebuilds it: a stage must not compute from bytes
 * that differ from the hash its key was made from.
 */
async function damagedInput(context: RunContext, job: StageJob): Promise<string | undefined> {
  for (const input of job.inputs) {
    for (const member of input.stages) {
      const entry = job.entries.get(member)!;
      const damage = await context.verifyInput(entry);
      if (damage === undefined) continue;
      context.project.store.discard(entry.key, context.project.hashes);
      return `input ${input.name}: the cache entry of ${member} is damaged (${damage}); it was dropped, run again to rebuild it`;
    }
  }
  return undefined;
}

/** Linux refuses one exec argument over 128 KiB (E2BIG); leave room for the shell's own arguments. */
const longestArgument = 120 * 1024;

/**
 * A command too long to pass as `sh -c TEXT` is written to a file in the staging dir and sourced (`. FILE`):
 * the same shell runs the same text, only read from a file.
 */
function viaScriptIfLong(command: string, staging: Staging): string {
  if (Buffer.byteLength(command) <= longestArgument) return command;
  fs.writeFileSync(staging.command, command);
  return `. ${quoteFor(staging.command, 'plain')}`;
}

function readInfo(file: string): Record<string, string | number | boolean> | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(value).filter(([, item]) => ['string', 'number', 'boolean'].includes(typeof item))) as Record<string, string | number | boolean>;
  } catch {
    return undefined;
  }
}

export async function runStage(context: RunContext, job: StageJob, hooks: StageHooks): Promise<StageResult> {
  const { project } = context;
  const { stage } = job;
  const adopted = context.executor.adopt?.(stage.name, job.key, project.store.dir);
  if (adopted) hooks.note?.(`${stage.name}: ${adopted.note}`);
  const staging = adopted ? project.store.stagingAt(adopted.dir) : project.store.stage(context.runDir, stage.name);
  const inputs = adopted ? adoptedInputs(staging, job) : stageInputs(staging, job);
  const scratch = stage.resumable ? project.store.scratchDir(job.key) : undefined;
  if (!adopted) {
    fs.writeFileSync(staging.params, JSON.stringify(stage.params, null, 1));
    // Only to a stage whose key covers it: any other would stay fresh when an upstream stage is renamed.
    if (stage.provenance) fs.writeFileSync(staging.upstream, JSON.stringify(upstreamFile(job.upstream, job.entries), null, 1));
    fs.writeFileSync(staging.key, job.key);
  }
  const env: Record<string, string> = {
    ...stage.env,
    ...context.commandEnv,
    PIPELINE_OUT: staging.out,
    PIPELINE_PARAMS: staging.params,
    PIPELINE_INFO: staging.info,
    ...(stage.provenance ? { PIPELINE_UPSTREAM: staging.upstream } : {}),
    PIPELINE_STAGE: stage.name,
    PIPELINE_RUN_ID: context.runId,
    // Slurm sets CUDA_VISIBLE_DEVICES from --gres on the node; exporting ours would override it.
    ...(context.executor.placesGpus ? {} : { CUDA_VISIBLE_DEVICES: job.lease.gpus.join(',') }),
    ...Object.fromEntries(Object.entries(inputs).map(([name, dir]) => [environmentName(name), dir])),
    ...(scratch ? { PIPELINE_SCRATCH: scratch } : {}),
  };
  const command = viaScriptIfLong(renderCommand(stage.command, { out: staging.out, scratch, inputs }), staging);

  const fail = (why: string): StageResult => {
    fs.mkdirSync(project.store.logs, { recursive: true });
    const kept = path.join(project.store.logs, `${safeName(stage.name)}.log`);
    try {
      fs.copyFileSync(staging.log, kept);
    } catch {
      fs.writeFileSync(kept, '');
    }
    fs.rmSync(staging.dir, { recursive: true, force: true });
    return { ok: false, why, log: path.relative(process.cwd(), kept) || kept, tail: tailOfLog(kept) };
  };

  const damage = adopted ? undefined : await damagedInput(context, job);
  if (damage) {
    hooks.exited();
    fs.writeFileSync(staging.log, `pipeline: ${damage}\n`);
    return fail(damage);
  }

  const started = performance.now();
  let running: RunningStage;
  try {
    running = adopted
      ? adopted.running
      : await context.executor.start({
          stage: stage.name,
          command,
          cwd: project.pipeline.root,
          env,
          logFile: staging.log,
          gpus: stage.resources.gpu,
          cpus: stage.resources.cpu,
          cacheDir: project.store.dir,
          workDir: staging.dir,
        });
  } catch (error) {
    hooks.exited();
    fs.appendFileSync(staging.log, `pipeline: could not start the stage: ${(error as Error).message}\n`);
    return fail(`could not start (${(error as Error).message})`);
  }
  const untrack = context.track(running);
  const exit = await running.exit;
  untrack();
  hooks.exited();
  const seconds = (performance.now() - started) / 1000;
  if (exit.why) return fail(exit.why);
  if (exit.signal) return fail(`killed by ${exit.signal}`);
  if (exit.exitCode !== 0) return fail(`exit code ${exit.exitCode}`);

  let metrics: Record<string, number>;
  try {
    metrics = readMetrics(staging.out, stage.metrics);
  } catch (error) {
    if (error instanceof MetricsError) return fail(error.message);
    throw error;
  }
  // Before hashing, so the bytes hashed are the entry's own and no file outside the staging dir can change them.
  try {
    detachHardLinks(staging.out);
  } catch (error) {
    return fail(`could not copy a hard-linked output file into the entry (${(error as Error).message})`);
  }
  const manifest = await buildManifest(staging.out, project.hashes);
  const entry = project.store.commit(staging, job.key, manifest, {
    stage: stage.name,
    key: job.key,
    output_hash: manifest.output_hash,
    duration_s: Math.round(seconds * 1000) / 1000,
    ran_on: { host: os.hostname(), executor: context.executor.name, ...(job.lease.gpus.length > 0 ? { gpus: job.lease.gpus.join(',') } : {}) },
    // The run record, not the lock, says when and in which run: `pipeline status` shows it.
    run_id: context.runId,
    finished: new Date().toISOString(),
    info: readInfo(staging.info),
    metrics,
    record: job.record,
  });
  // The rename kept inodes and mtimes: carry the hashes over to the entry's paths so the next check reads nothing.
  for (const file of manifest.files) {
    const full = path.join(entry.out, file.path);
    project.hashes.remember(full, fs.statSync(full, { bigint: true }), file.sha256);
  }
  rememberListing(entry.out, manifest, project.hashes);
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  return { ok: true, entry, seconds };
}
