// Failures of the Slurm executor as typed values: a kebab-case reason, the command's stderr, and the cause kept.

export type SlurmReason =
  | 'slurm-not-installed'
  | 'slurm-command-failed'
  | 'sbatch-failed'
  | 'sbatch-unparsable'
  | 'scancel-failed'
  | 'bad-job'
  | 'job-record-corrupt'
  | 'interrupted';

export class SlurmError extends Error {
  readonly reason: SlurmReason;
  /** What the Slurm command printed on stderr, when a command failed. */
  readonly stderr?: string;

  constructor(reason: SlurmReason, message: string, options: { cause?: unknown; stderr?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SlurmError';
    this.reason = reason;
    this.stderr = options.stderr;
  }
}
