// The lines push and pull print: one per entry moved or missing, one per distinct failure, and a summary with the rate.
import { formatBytes } from '../commands/gc.js';
import { RemoteError, fromSystemError } from './errors.js';

export class TransferReport {
  readonly started = performance.now();
  moved = 0;
  bytes = 0;
  already = 0;
  missing = 0;
  failed = 0;
  private readonly said = new Set<string>();

  constructor(private readonly write: (text: string) => void) {}

  line(text: string): void {
    this.write(`${text}\n`);
  }

  /** One line per failure; a remote that cannot be used at all is said once, not once per entry. */
  failure(stage: string, error: unknown, remoteName: string): void {
    this.failed += 1;
    const failure = error instanceof RemoteError ? error : fromSystemError(`remote ${remoteName}`, error);
    if (failure.remoteUnusable) {
      if (this.said.has(failure.reason)) return;
      this.said.add(failure.reason);
      this.line(`failed     ${failure.message}`);
    } else {
      this.line(`failed     ${stage}: ${failure.message}`);
    }
  }

  summary(verb: 'pushed' | 'pulled', already: string): string {
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 && this.bytes > 0 ? `, ${formatBytes(this.bytes / seconds)}/s` : '';
    const parts = [`${verb} ${this.moved} entr${this.moved === 1 ? 'y' : 'ies'} (${formatBytes(this.bytes)} in ${seconds.toFixed(2)} s${rate})`, `${this.already} ${already}`];
    if (this.missing > 0) parts.push(`${this.missing} missing`);
    if (this.failed > 0) parts.push(`${this.failed} failed`);
    return parts.join(', ');
  }
}
