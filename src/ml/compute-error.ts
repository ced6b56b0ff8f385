// Typed failures of the compute core (backends, models, training, checkpoints, sweeps), each with a kebab-case reason and its cause kept.
import { isUsageReason, TypedError, type ReasonTable } from '../typed-error.js';

/** Every reason, and whether it means the user asked for something invalid (exit 2) or the work failed (exit 1). */
export const computeReasons = {
  'backend-unavailable': 'failure',
  'unknown-backend': 'usage',
  'unknown-model': 'usage',
  'bad-recipe': 'usage',
  'bad-branch': 'usage',
  'loss-not-finite': 'failure',
  'checkpoint-corrupt': 'failure',
  'checkpoint-missing': 'failure',
  'checkpoint-mismatch': 'failure',
  'bad-sweep-options': 'usage',
  'sweep-worker-failed': 'failure',
} as const satisfies ReasonTable;

export type ComputeReason = keyof typeof computeReasons;

export class ComputeError extends TypedError<ComputeReason> {
  constructor(reason: ComputeReason, message: string, options: { cause?: unknown } = {}) {
    super(reason, message, { cause: options.cause, usage: isUsageReason(computeReasons, reason) });
    this.name = 'ComputeError';
  }
}
