// Failures of a remote as typed values: each says what went wrong in one line, never a stack trace, never a credential.
import { ExitCode, PipelineError } from '../errors.js';

export type RemoteReason =
  /** No remote named where one is needed, or one named in a form we cannot use (exit 2). */
  | 'remote-config'
  /** Connection refused, no such host, a directory remote that is not there. */
  | 'remote-unreachable'
  /** The server stopped answering within the timeout. */
  | 'remote-timeout'
  /** A 5xx answer. */
  | 'remote-server-error'
  /** 401 or 403: the credentials were refused (or none were given). */
  | 'remote-auth-refused'
  /** Another answer we did not expect (a 4xx other than auth, a redirect). */
  | 'remote-refused'
  /** A blob whose bytes do not hash to its name, or that ended early. */
  | 'remote-corrupt-blob'
  /** A record that does not parse, does not match its key, or names unsafe paths. */
  | 'remote-bad-record'
  /** A local entry whose bytes no longer match its manifest: it is not pushed. */
  | 'remote-local-damage';

/** Failures that say the remote as a whole cannot be used now: the rest of the run does not try it again. */
const wholeRemote: ReadonlySet<RemoteReason> = new Set(['remote-unreachable', 'remote-timeout', 'remote-server-error', 'remote-auth-refused', 'remote-refused']);

export class RemoteError extends PipelineError {
  declare readonly reason: RemoteReason;

  constructor(reason: RemoteReason, message: string, options: { cause?: unknown } = {}) {
    super(reason, message, { exitCode: reason === 'remote-config' ? ExitCode.badInput : ExitCode.stageFailed, cause: options.cause });
    this.name = 'RemoteError';
  }

  /** True when retrying other entries on this remote in the same run would only repeat the failure. */
  get remoteUnusable(): boolean {
    return wholeRemote.has(this.reason);
  }
}

/** A system error from a socket or a file system, as the remote kind it stands for. */
export function fromSystemError(where: string, error: unknown): RemoteError {
  if (error instanceof RemoteError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const detail = code || (error as Error).message;
  if (code === 'ETIMEDOUT') return new RemoteError('remote-timeout', `${where}: timed out`, { cause: error });
  if (code === 'EACCES' || code === 'EPERM') return new RemoteError('remote-auth-refused', `${where}: permission denied (${detail})`, { cause: error });
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|^ERR_TLS/.test(code)) {
    return new RemoteError('remote-unreachable', `${where}: its TLS certificate is not trusted (${code}; NODE_EXTRA_CA_CERTS adds a CA)`, { cause: error });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE') return new RemoteError('remote-unreachable', `${where}: the connection broke (${detail})`, { cause: error });
  return new RemoteError('remote-unreachable', `${where}: ${detail}`, { cause: error });
}
