// Records the job ids of a run in a JSON file so that, after the runner crashes, its live jobs are re-attached, not resubmitted.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SlurmError } from './errors.js';
import { createCommandRunner } from './command.js';
import { queryJobs } from './poll.js';
import { isLive, type JobStatus } from './types.js';

export interface RecordedJob {
  id: string;
  /** The stage's name. */
  name: string;
  runTag: string;
  submittedAt: string;
}

export interface LiveJob extends RecordedJob {
  status: JobStatus;
}

interface RecordFile {
  version: 1;
  jobs: RecordedJob[];
}

function isRecordedJob(value: unknown): value is RecordedJob {
  const job = value as RecordedJob;
  return typeof job === 'object' && job !== null && typeof job.id === 'string' && typeof job.name === 'string' && typeof job.runTag === 'string' && typeof job.submittedAt === 'string';
}

/** The jobs recorded in the file; none when it does not exist yet. */
export async function readJobRecord(stateFile: string): Promise<RecordedJob[]> {
  let text: string;
  try {
    text = await readFile(stateFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SlurmError('job-record-corrupt', `cannot read the Slurm job record ${stateFile}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SlurmError('job-record-corrupt', `the Slurm job record ${stateFile} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const jobs = (parsed as RecordFile | null)?.jobs;
  if (!Array.isArray(jobs) || !jobs.every(isRecordedJob)) {
    throw new SlurmError('job-record-corrupt', `the Slurm job record ${stateFile} does not hold {"jobs": [{id, name, runTag, submittedAt}…]}`);
  }
  return jobs;
}

async function writeJobRecord(stateFile: string, jobs: RecordedJob[]): Promise<void> {
  await mkdir(path.dirname(stateFile), { recursive: true });
  const temporary = `${stateFile}.${process.pid}.tmp`;
  const content: RecordFile = { version: 1, jobs };
  await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`);
  // A crash mid-write leaves the old record whole, never half a file.
  await rename(temporary, stateFile);
}

/** Read-modify-write of one file must not interleave within this process (stages submit concurrently). */
const queues = new Map<string, Promise<unknown>>();
function serialized<T>(stateFile: string, work: () => Promise<T>): Promise<T> {
  const key = path.resolve(stateFile);
  const next = (queues.get(key) ?? Promise.resolve()).then(work, work);
  queues.set(
    key,
    next.catch(() => undefined),
  );
  return next;
}

export function recordJob(stateFile: string, job: RecordedJob): Promise<void> {
  return serialized(stateFile, async () => {
    const jobs = (await readJobRecord(stateFile)).filter((known) => known.id !== job.id);
    await writeJobRecord(stateFile, [...jobs, job]);
  });
}

/** Drops finished jobs from the record, so it does not grow without end. */
export function forgetJobs(stateFile: string, ids: readonly string[]): Promise<void> {
  const drop = new Set(ids);
  return serialized(stateFile, async () => {
    const jobs = await readJobRecord(stateFile);
    if (jobs.some((job) => drop.has(job.id)))
      await writeJobRecord(
        stateFile,
        jobs.filter((job) => !drop.has(job.id)),
      );
  });
}

/**
 * The recorded jobs that are still pending or running. A job whose Slurm name is not its recorded run tag is not
 * ours any more: a restarted controller (its state wiped) hands out the same ids again.
 */
export async function findLiveJobs(
  stateFile: string,
  // squeue alone knows every live job; accounting only matters for jobs long finished.
  query: (ids: string[]) => Promise<Map<string, JobStatus>> = (ids) => queryJobs(createCommandRunner(), ids, { accounting: false }),
): Promise<LiveJob[]> {
  const jobs = await readJobRecord(stateFile);
  if (jobs.length === 0) return [];
  const statuses = await query(jobs.map((job) => job.id));
  const live: LiveJob[] = [];
  for (const job of jobs) {
    const status = statuses.get(job.id);
    if (!status || !isLive(status.state)) continue;
    if (status.jobName !== undefined && status.jobName !== job.runTag) continue;
    live.push({ ...job, status });
  }
  return live;
}
