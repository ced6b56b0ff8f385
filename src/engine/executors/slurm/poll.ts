// Asks Slurm, in one batched query, what state many jobs are in; parses squeue/scontrol/sacct text (22.05's --json is unreliable).
import { commandFailure, runChecked, type SlurmCommandRunner } from './command.js';
import { isFinal, type JobState, type JobStatus } from './types.js';

const stateWords: Record<string, JobState> = {
  PENDING: 'pending',
  CONFIGURING: 'pending',
  REQUEUED: 'pending',
  REQUEUE_HOLD: 'pending',
  REQUEUE_FED: 'pending',
  RESV_DEL_HOLD: 'pending',
  RESIZING: 'pending',
  RUNNING: 'running',
  COMPLETING: 'running', // the script has ended but Slurm has not settled on the final state yet
  SIGNALING: 'running',
  STAGE_OUT: 'running',
  SUSPENDED: 'running',
  STOPPED: 'running',
  UPDATE_DB: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  BOOT_FAIL: 'failed',
  DEADLINE: 'failed',
  PREEMPTED: 'failed',
  SPECIAL_EXIT: 'failed',
  REVOKED: 'failed',
  CANCELLED: 'cancelled',
  TIMEOUT: 'timeout',
  NODE_FAIL: 'node-fail',
  OUT_OF_MEMORY: 'out-of-memory',
};

/** Maps Slurm's state word (`RUNNING`, `CANCELLED by 0`, `CANCELLED+`) to ours. */
export function mapSlurmState(word: string): JobState {
  const base = word.trim().split(/[\s+]/)[0].toUpperCase();
  return stateWords[base] ?? 'unknown';
}

/** `ExitCode=code:signal` (scontrol, sacct). */
export function parseExitCode(text: string): { exitCode?: number; signal?: number } {
  const match = /^(\d+):(\d+)$/.exec(text.trim());
  if (!match) return {};
  const signal = Number(match[2]);
  return signal > 0 ? { exitCode: Number(match[1]), signal } : { exitCode: Number(match[1]) };
}

function cleanReason(reason: string | undefined): string | undefined {
  const value = reason?.trim();
  return value && value !== 'None' && value !== '(null)' ? value : undefined;
}

export const SQUEUE_FORMAT = '%i|%T|%r|%j';

/** Lines of `squeue -h -o '%i|%T|%r|%j'`; the job name comes last because it may itself contain `|`. */
export function parseSqueue(text: string): Map<string, JobStatus> {
  const statuses = new Map<string, JobStatus>();
  for (const line of text.split('\n')) {
    const [id, word, reason, ...name] = line.trim().split('|');
    if (!id || word === undefined) continue;
    statuses.set(id, { state: mapSlurmState(word), slurmState: word, reason: cleanReason(reason), jobName: name.join('|') });
  }
  return statuses;
}

/** One line of `scontrol show job -o ID`: `JobId=5 JobName=x … JobState=FAILED Reason=NonZeroExitCode … ExitCode=3:0 …`. */
export function parseScontrolJob(line: string): JobStatus | undefined {
  const field = (key: string) => new RegExp(`(?:^|\\s)${key}=(\\S*)`).exec(line)?.[1];
  const word = field('JobState');
  if (word === undefined) return undefined;
  // JobName may contain spaces; UserId always follows it.
  const jobName = /(?:^|\s)JobName=(.*?) UserId=/.exec(line)?.[1];
  return {
    state: mapSlurmState(word),
    slurmState: word,
    reason: cleanReason(field('Reason')),
    jobName,
    ...parseExitCode(field('ExitCode') ?? ''),
  };
}

export const SACCT_FIELDS = 'JobID,State,ExitCode,Reason,JobName';

/** Lines of `sacct -P -n -X -o JobID,State,ExitCode,Reason,JobName`. */
export function parseSacct(text: string): Map<string, JobStatus> {
  const statuses = new Map<string, JobStatus>();
  for (const line of text.split('\n')) {
    const [id, word, exit, reason, ...name] = line.trim().split('|');
    if (!id || word === undefined || !/^\d+$/.test(id)) continue;
    statuses.set(id, {
      state: mapSlurmState(word),
      slurmState: word,
      reason: cleanReason(reason),
      jobName: name.join('|'),
      ...parseExitCode(exit ?? ''),
    });
  }
  return statuses;
}

/** Many ids in one command line, but not so many that the line gets absurd. */
function chunks(ids: readonly string[], size = 500): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

async function querySqueue(run: SlurmCommandRunner, ids: readonly string[]): Promise<Map<string, JobStatus>> {
  const statuses = new Map<string, JobStatus>();
  for (const part of chunks(ids)) {
    const args = ['-h', '-t', 'all', '-j', part.join(','), '-o', SQUEUE_FORMAT];
    const result = await run('squeue', args);
    // squeue exits 1 with "Invalid job id specified" when it knows none of the ids: that is an answer, not a failure.
    if (result.exitCode !== 0 && !/invalid job id/i.test(result.stderr)) throw commandFailure('squeue', args, result);
    for (const [id, status] of parseSqueue(result.stdout)) statuses.set(id, status);
  }
  return statuses;
}

async function querySacct(run: SlurmCommandRunner, ids: readonly string[]): Promise<Map<string, JobStatus>> {
  const statuses = new Map<string, JobStatus>();
  for (const part of chunks(ids)) {
    const result = await runChecked(run, 'sacct', ['-P', '-n', '-X', '-j', part.join(','), '-o', SACCT_FIELDS]);
    for (const [id, status] of parseSacct(result.stdout)) statuses.set(id, status);
  }
  return statuses;
}

/** squeue has no exit code: finished jobs are asked once more, one by one (each job finishes only once). */
async function addExitCodes(run: SlurmCommandRunner, statuses: Map<string, JobStatus>): Promise<void> {
  for (const [id, status] of statuses) {
    if (!isFinal(status.state) || status.exitCode !== undefined) continue;
    if (status.state === 'completed') {
      statuses.set(id, { ...status, exitCode: 0 });
      continue;
    }
    const result = await run('scontrol', ['show', 'job', '-o', id]);
    const detailed = result.exitCode === 0 ? parseScontrolJob(result.stdout) : undefined;
    if (detailed) statuses.set(id, { ...status, exitCode: detailed.exitCode, signal: detailed.signal });
  }
}

export interface QueryOptions {
  /** Whether sacct can be asked (see detectAccounting). */
  accounting: boolean;
}

/**
 * The status of every id; ids Slurm no longer (or never) knew are `unknown`.
 *
 * The controller is asked first, in one squeue call: sacct lags behind it (a running job still reads PENDING there,
 * named "allocation") and has no reason for failed jobs. sacct only answers for jobs the controller has forgotten
 * (older than MinJobAge).
 */
export async function queryJobs(run: SlurmCommandRunner, ids: readonly string[], options: QueryOptions): Promise<Map<string, JobStatus>> {
  const statuses = await querySqueue(run, ids);
  await addExitCodes(run, statuses);
  const forgotten = ids.filter((id) => !statuses.has(id));
  if (options.accounting && forgotten.length > 0) {
    for (const [id, status] of await querySacct(run, forgotten)) statuses.set(id, status);
  }
  const answer = new Map<string, JobStatus>();
  for (const id of ids) {
    answer.set(id, statuses.get(id) ?? { state: 'unknown', reason: 'Slurm does not know this job (finished long ago, or never submitted)' });
  }
  return answer;
}
