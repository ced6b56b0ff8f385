// Typed failures of barrier measurement and aggregation, each with a kebab-case reason and its cause kept.

export type BarrierReason = 'bad-curve' | 'value-not-finite' | 'input-missing' | 'input-mismatch';

export class BarrierError extends Error {
  readonly reason: BarrierReason;

  constructor(reason: BarrierReason, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'BarrierError';
    this.reason = reason;
  }
}
