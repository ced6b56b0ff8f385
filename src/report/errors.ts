// Typed failures of the report code: a kebab-case reason, a one-line message, and the original cause.
import { isUsageReason, TypedError, type ReasonTable } from '../typed-error.js';

/** Every reason, and whether it means the user asked for something invalid (exit 2) or the work failed (exit 1). */
export const reportReasons = {
  'missing-input': 'failure',
  'corrupt-input': 'failure',
  /** The render params in pipeline.yaml (thresholds) are not what the report can use. */
  'bad-params': 'usage',
  'render-failed': 'failure',
} as const satisfies ReasonTable;

export type ReportErrorReason = keyof typeof reportReasons;

export class ReportError extends TypedError<ReportErrorReason> {
  constructor(reason: ReportErrorReason, message: string, options?: { cause?: unknown }) {
    super(reason, message, { cause: options?.cause, usage: isUsageReason(reportReasons, reason) });
    this.name = 'ReportError';
  }
}
