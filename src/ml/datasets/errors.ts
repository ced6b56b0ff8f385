// Typed failures of reading and fetching datasets, each with a kebab-case reason and its cause kept.

export type DataReason =
  | 'dataset-missing'
  | 'dataset-corrupt'
  | 'checksum-mismatch'
  | 'idx-header'
  | 'download-failed'
  | 'download-truncated'
  | 'archive-invalid'
  | 'unknown-dataset'
  | 'image-decode';

export class DataError extends Error {
  readonly reason: DataReason;

  constructor(reason: DataReason, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'DataError';
    this.reason = reason;
  }
}
