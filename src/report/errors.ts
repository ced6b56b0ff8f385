// Typed failures of the report code: a kebab-case reason, a one-line message, and the original cause.
export type ReportErrorReason =
  | 'missing-input'
  | 'corrupt-input'
  | 'bad-params'
  | 'render-failed';

export class ReportError extends Error {
  readonly reason: ReportErrorReason;

  constructor(reason: ReportErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReportError';
    this.reason = reason;
  }
}
