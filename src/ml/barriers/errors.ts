// Typed failures of barrier measurement and aggregation, each with a kebab-case reason and its cause kept.
import { isUsageReason, TypedError, type ReasonTable } from '../../typed-error.js';

/** Every reason, and whether it means the user asked for something invalid (exit 2) or the work failed (exit 1). */
export const barrierReasons = {
  'bad-curve': 'failure',
  'value-not-finite': 'failure',
  'input-missing': 'failure',
  'input-mismatch': 'failure',
} as const satisfies ReasonTable;

export type BarrierReason = keyof typeof barrierReasons;

export class BarrierError extends TypedError<BarrierReason> {
  constructor(reason: BarrierReason, message: string, options: { cause?: unknown } = {}) {
    super(reason, message, { cause: options.cause, usage: isUsageReason(barrierReasons, reason) });
    this.name = 'BarrierError';
  }
}
