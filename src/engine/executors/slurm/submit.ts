// Submits a batch script with `sbatch --parsable` and returns the job id Slurm assigned.
import { runChecked, type SlurmCommandRunner } from './command.js';
import { SlurmError } from './errors.js';

/** `sbatch --parsable` prints `id` or, on a multi-cluster setup, `id;cluster`. */
export function parseSbatchOutput(stdout: string): string | undefined {
  const line = stdout.trim().split('\n').at(-1)?.trim() ?? '';
  const id = line.split(';')[0];
  return /^\d+$/.test(id) ? id : undefined;
}

export async function submitBatchScript(run: SlurmCommandRunner, scriptPath: string, extraArgs: readonly string[] = []): Promise<string> {
  const result = await runChecked(run, 'sbatch', ['--parsable', ...extraArgs, scriptPath], 'sbatch-failed');
  const id = parseSbatchOutput(result.stdout);
  if (id === undefined) {
    throw new SlurmError('sbatch-unparsable', `sbatch printed no job id for ${scriptPath}: ${JSON.stringify(result.stdout)}`, {
      stderr: result.stderr,
    });
  }
  return id;
}
