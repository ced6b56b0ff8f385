// Runs one Slurm client command (sbatch, squeue, …) and returns its text output; spawn failures become SlurmErrors.
import { SlurmError } from './errors.js';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** How the executor runs Slurm's client programs; tests and callers may substitute their own. */
export type SlurmCommandRunner = (program: string, args: readonly string[]) => Promise<CommandResult>;

export interface RunnerOptions {
  /** Added to the environment of every Slurm command, e.g. `{ SLURM_CONF: '/path/slurm.conf' }`. */
  env?: Record<string, string>;
  /** A controller that does not answer within this long is an error, not a hang. */
  timeoutMs?: number;
}

export function createCommandRunner(options: RunnerOptions = {}): SlurmCommandRunner {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return async (program, args) => {
    // Loaded on first use: a local run never needs it.
    const { execa } = await import('execa');
    const result = await execa(program, args, {
      env: options.env,
      extendEnv: true,
      reject: false,
      stdin: 'ignore',
      timeout: timeoutMs,
    });
    if (result.code === 'ENOENT') {
      throw new SlurmError('slurm-not-installed', `${program} not found: is the Slurm client installed and on PATH?`, {
        cause: result.cause,
      });
    }
    if (result.timedOut) {
      throw new SlurmError('slurm-command-failed', `${program} did not answer within ${timeoutMs / 1000} s`, {
        cause: result.cause,
        stderr: result.stderr,
      });
    }
    if (result.exitCode === undefined) {
      throw new SlurmError('slurm-command-failed', `${program} could not run: ${result.shortMessage}`, {
        cause: result.cause,
        stderr: result.stderr,
      });
    }
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  };
}

type FailureReason = 'slurm-command-failed' | 'sbatch-failed' | 'scancel-failed';

/** The error for a Slurm command that exited non-zero, naming the command and keeping its stderr. */
export function commandFailure(program: string, args: readonly string[], result: CommandResult, reason: FailureReason = 'slurm-command-failed'): SlurmError {
  const detail = result.stderr.trim() || result.stdout.trim() || 'no output';
  return new SlurmError(reason, `${program} ${args.join(' ')} exited ${result.exitCode}: ${detail}`, {
    stderr: result.stderr,
    cause: result,
  });
}

/** Runs the command and fails unless it exits 0. */
export async function runChecked(run: SlurmCommandRunner, program: string, args: readonly string[], reason: FailureReason = 'slurm-command-failed'): Promise<CommandResult> {
  const result = await run(program, args);
  if (result.exitCode !== 0) throw commandFailure(program, args, result, reason);
  return result;
}
