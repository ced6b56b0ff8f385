// Writes the sbatch script for one job: its #SBATCH options, a check that the cache is visible, its env, its command.
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SlurmError } from './errors.js';
import type { SlurmJob } from './types.js';

/** Exit code of a job whose node cannot see the cache directory (or the working directory). */
export const CACHE_NOT_VISIBLE_EXIT = 97;

/** Quotes a string for bash so it reaches the program byte for byte. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function badJob(job: SlurmJob, message: string): SlurmError {
  return new SlurmError('bad-job', `slurm job '${job.name}': ${message}`);
}

/** sbatch reads `#SBATCH` values up to the end of the line and strips one pair of double quotes. */
function optionValue(job: SlurmJob, flag: string, value: string): string {
  if (/["\n\r]/.test(value)) throw badJob(job, `${flag} cannot contain a double quote or a line break: ${JSON.stringify(value)}`);
  return `"${value}"`;
}

/** Slurm expands `%j`, `%x`… in file names; `%%` is a literal percent sign. */
function slurmFileName(value: string): string {
  return value.replaceAll('%', '%%');
}

function sbatchLines(job: SlurmJob): string[] {
  if (!Number.isInteger(job.gpus) || job.gpus < 0) throw badJob(job, `gpus must be a whole number >= 0, got ${job.gpus}`);
  if (!Number.isInteger(job.cpus) || job.cpus < 1) throw badJob(job, `cpus must be a whole number >= 1, got ${job.cpus}`);
  if (!path.isAbsolute(job.logPath)) throw badJob(job, `logPath must be absolute, got ${job.logPath}`);
  const options: [string, string][] = [
    ['--job-name', job.runTag],
    ['--comment', job.name],
    ['--output', slurmFileName(job.logPath)],
    ['--open-mode', 'append'],
  ];
  if (job.gpus > 0) options.push(['--gres', `gpu:${job.gpus}`]);
  options.push(['--cpus-per-task', String(job.cpus)]);
  if (job.partition) options.push(['--partition', job.partition]);
  if (job.account) options.push(['--account', job.account]);
  if (job.time) options.push(['--time', job.time]);
  const lines = options.map(([flag, value]) => `#SBATCH ${flag}=${optionValue(job, flag, value)}`);
  for (const extra of job.extraArgs ?? []) {
    if (!extra.startsWith('-') || /[\n\r]/.test(extra)) throw badJob(job, `extra sbatch argument must be one --flag[=value], got ${JSON.stringify(extra)}`);
    lines.push(`#SBATCH ${extra}`);
  }
  return lines;
}

function exportLines(job: SlurmJob): string[] {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(job.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw badJob(job, `environment variable name ${JSON.stringify(name)} is not valid`);
    // Slurm leases the devices of a GPU job and says which in CUDA_VISIBLE_DEVICES; the caller's value would lie.
    if (name === 'CUDA_VISIBLE_DEVICES') continue;
    lines.push(`export ${name}=${shellQuote(value)}`);
  }
  // A job without GPUs must not inherit the submitting shell's devices (sbatch exports its environment).
  if (job.gpus === 0) lines.push('export CUDA_VISIBLE_DEVICES=');
  return lines;
}

export function renderBatchScript(job: SlurmJob): string {
  const cache = shellQuote(job.cacheDir);
  const cwd = shellQuote(job.cwd);
  return [
    '#!/bin/bash',
    ...sbatchLines(job),
    '',
    `# Written by linpath's Slurm executor for stage ${JSON.stringify(job.name)} of run ${JSON.stringify(job.runTag)}.`,
    `if [ ! -d ${cache} ]; then`,
    `  echo "cache directory "${cache}" is not visible on node $(hostname): the cache must live on a filesystem every node sees" >&2`,
    `  exit ${CACHE_NOT_VISIBLE_EXIT}`,
    'fi',
    ...exportLines(job),
    `cd ${cwd} || { echo "working directory "${cwd}" is not visible on node $(hostname)" >&2; exit ${CACHE_NOT_VISIBLE_EXIT}; }`,
    `exec /bin/bash -c ${shellQuote(job.command)}`,
    '',
  ].join('\n');
}

function scriptFileName(job: SlurmJob): string {
  const safe = `${job.runTag}-${job.name}`.replace(/[^A-Za-z0-9._@-]/g, '_');
  return `${safe}.sbatch`;
}

/** Writes the job's executable sbatch script (atomically) and returns its path; creates the log's directory. */
export async function writeBatchScript(job: SlurmJob): Promise<string> {
  const text = renderBatchScript(job);
  await mkdir(job.scriptDir, { recursive: true });
  // Slurm does not create the directory of --output; without it the job runs and its log vanishes.
  await mkdir(path.dirname(job.logPath), { recursive: true });
  const target = path.join(job.scriptDir, scriptFileName(job));
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, text, { mode: 0o755 });
  await chmod(temporary, 0o755);
  await rename(temporary, target);
  return target;
}
