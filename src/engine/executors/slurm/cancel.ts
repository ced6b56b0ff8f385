// Cancels jobs with scancel: a list of ids, or every job of a run (its job name is the run tag).
import { runChecked, type SlurmCommandRunner } from './command.js';

export async function cancelJobs(run: SlurmCommandRunner, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  // scancel of an already finished job only warns; a real failure (no controller, bad id syntax) exits non-zero.
  await runChecked(run, 'scancel', [...ids], 'scancel-failed');
}

/** Cancels every pending or running job of the run; `--user` keeps an admin from cancelling other users' namesakes. */
export async function cancelRunJobs(run: SlurmCommandRunner, runTag: string, user?: string): Promise<void> {
  const args = [`--name=${runTag}`];
  if (user) args.push(`--user=${user}`);
  await runChecked(run, 'scancel', args, 'scancel-failed');
}
