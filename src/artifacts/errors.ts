// Typed failures of reading and writing artifacts: a kebab-case reason, a message naming the file and what is wrong, the cause kept.
import { isUsageReason, TypedError, type ReasonTable } from '../typed-error.js';

/** Every reason, and whether it means the user asked for something invalid (exit 2) or the work failed (exit 1). */
export const artifactReasons = {
  'missing-input': 'failure',
  'corrupt-input': 'failure',
  'write-failed': 'failure',
} as const satisfies ReasonTable;

export type ArtifactErrorReason = keyof typeof artifactReasons;

export class ArtifactError extends TypedError<ArtifactErrorReason> {
  /** The file the error is about. */
  readonly file: string;

  constructor(reason: ArtifactErrorReason, file: string, message: string, options: { cause?: unknown } = {}) {
    super(reason, message, { cause: options.cause, usage: isUsageReason(artifactReasons, reason) });
    this.name = 'ArtifactError';
    this.file = file;
  }
}
