// Typed failures of loss-plane construction and evaluation, each with a kebab-case reason and its cause kept.
import { isUsageReason, TypedError, type ReasonTable } from '../../typed-error.js';

/** Every reason, and whether it means the user asked for something invalid (exit 2) or the work failed (exit 1). */
export const planeReasons = {
  /** The three weight vectors do not span a plane (two coincide, e.g. t = 0 or t = T, or they are collinear). */
  'degenerate-plane': 'usage',
  /** A grid size, span, margin or point list that cannot describe a grid. */
  'bad-plane-options': 'usage',
} as const satisfies ReasonTable;

export type PlaneErrorReason = keyof typeof planeReasons;

export class PlaneError extends TypedError<PlaneErrorReason> {
  constructor(reason: PlaneErrorReason, message: string, options: { cause?: unknown } = {}) {
    super(reason, message, { cause: options.cause, usage: isUsageReason(planeReasons, reason) });
    this.name = 'PlaneError';
  }
}
