// Failures of the Slurm executor as typed values: a kebab-case reason, the command's stderr, and the cause kept.
import { isUsageReason, TypedError, type ReasonTable } from '../../../typed-error.js';

/** Every reason, and whether it means the user asked for something invalid (exit 2) or the work failed (exit 1). */
export const slurmReasons = {
  'slurm-not-installed': 'failure',
  'slurm-command-failed': 'failure',
  'sbatch-failed': 'failure',
  'sbatch-unparsable': 'failure',
  'scancel-failed': 'failure',
  'bad-job': 'failure',
  'job-record-corrupt': 'failure',
  interrupted: 'failure',
} as const satisfies ReasonTable;

export type SlurmReason = keyof typeof slurmReasons;

export class SlurmError extends TypedError<SlurmReason> {
  /** What the Slurm command printed on stderr, when a command failed. */
  readonly stderr?: string;

  constructor(reason: SlurmReason, message: string, options: { cause?: unknown; stderr?: string } = {}) {
    super(reason, message, { cause: options.cause, usage: isUsageReason(slurmReasons, reason) });
    this.name = 'SlurmError';
    this.stderr = options.stderr;
  }
}
