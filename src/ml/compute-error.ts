// Typed failures of the compute core (backends, models, training, checkpoints, sweeps), each with a kebab-case reason and its cause kept.

export type ComputeReason =
  | 'backend-unavailable'
  | 'unknown-backend'
  | 'unknown-model'
  | 'bad-recipe'
  | 'bad-branch'
  | 'loss-not-finite'
  | 'checkpoint-corrupt'
  | 'checkpoint-missing'
  | 'checkpoint-mismatch'
  | 'bad-sweep-options'
  | 'sweep-worker-failed';

export class ComputeError extends Error {
  readonly reason: ComputeReason;

  constructor(reason: ComputeReason, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ComputeError';
    this.reason = reason;
  }
}
