// Typed failures of reading and writing artifacts: a kebab-case reason, a message naming the file and what is wrong, the cause kept.

export type ArtifactErrorReason = 'missing-input' | 'corrupt-input' | 'write-failed';

export class ArtifactError extends Error {
  readonly reason: ArtifactErrorReason;
  /** The file the error is about. */
  readonly file: string;

  constructor(reason: ArtifactErrorReason, file: string, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ArtifactError';
    this.reason = reason;
    this.file = file;
  }
}
