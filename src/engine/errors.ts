// Failures as typed values: every error a user can cause carries a kebab-case reason and an exit code.
import { TypedError } from '../typed-error.js';
import type { RemoteReason } from './remote/errors.js';

/** Documented exit codes of the `pipeline` command. */
export const ExitCode = {
  ok: 0,
  stageFailed: 1,
  badInput: 2,
  projectBusy: 3,
  interrupted: 130,
} as const;

export type Reason =
  | 'spec-syntax'
  | 'spec-schema'
  | 'spec-template'
  | 'spec-duplicate-stage'
  | 'spec-unknown-stage'
  | 'spec-cycle'
  | 'spec-path-escapes-root'
  | 'spec-missing-dep'
  | 'spec-not-found'
  | 'bad-usage'
  | 'not-enough-gpus'
  | 'project-busy'
  | 'cache-layout'
  | 'stage-failed'
  | 'interrupted'
  | RemoteReason;

/**
 * An error the user can act on: printed as one message, never as a stack trace. The engine has more exit codes
 * than usage (2) and failure (1) — a busy project (3), an interruption (130) — so each error carries its code,
 * and is a usage error exactly when that code is 2.
 */
export class PipelineError extends TypedError<Reason> {
  readonly exitCode: number;

  constructor(reason: Reason, message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    const exitCode = options.exitCode ?? ExitCode.badInput;
    super(reason, message, { cause: options.cause, usage: exitCode === ExitCode.badInput });
    this.name = 'PipelineError';
    this.exitCode = exitCode;
  }
}

/** Where in pipeline.yaml something was written, for messages like `pipeline.yaml:12:5: stages.train.cmd: …`. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  /** The key path inside the document, e.g. ['stages', 'train', 'needs', 0]. */
  path: readonly (string | number)[];
}

export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out || '(top level)';
}

export function formatLocation(where: SourceLocation): string {
  const position = where.line === undefined ? '' : `:${where.line}${where.column === undefined ? '' : `:${where.column}`}`;
  return where.path.length === 0 ? `${where.file}${position}` : `${where.file}${position}: ${formatPath(where.path)}`;
}

/** A mistake in pipeline.yaml, pointing at the file, line and key. */
export class SpecError extends PipelineError {
  readonly where: SourceLocation;

  constructor(reason: Reason, where: SourceLocation, message: string, options: { cause?: unknown } = {}) {
    super(reason, `${formatLocation(where)}: ${message}`, { exitCode: ExitCode.badInput, cause: options.cause });
    this.where = where;
  }
}
