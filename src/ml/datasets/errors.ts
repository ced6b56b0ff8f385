// Typed failures of reading and fetching datasets, each with a kebab-case reason and its cause kept.
import { isUsageReason, TypedError, type ReasonTable } from '../../typed-error.js';

/** Every reason, and whether it means the user asked for something invalid (exit 2) or the work failed (exit 1). */
export const dataReasons = {
  'dataset-missing': 'failure',
  'dataset-corrupt': 'failure',
  'checksum-mismatch': 'failure',
  'idx-header': 'failure',
  'download-failed': 'failure',
  'download-truncated': 'failure',
  'archive-invalid': 'failure',
  'unknown-dataset': 'usage',
  'image-decode': 'failure',
} as const satisfies ReasonTable;

export type DataReason = keyof typeof dataReasons;

export class DataError extends TypedError<DataReason> {
  constructor(reason: DataReason, message: string, options: { cause?: unknown } = {}) {
    super(reason, message, { cause: options.cause, usage: isUsageReason(dataReasons, reason) });
    this.name = 'DataError';
  }
}
