// Watches many jobs with one batched query per round, backing off while nothing changes (0.2 s doubling to 5 s).
import { SlurmError } from './errors.js';
import { isFinal, type JobStatus } from './types.js';

export interface PollerOptions {
  query: (ids: string[]) => Promise<Map<string, JobStatus>>;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** A controller that fails this many queries in a row (restarting, unreachable) fails every watched job. */
  maxConsecutiveFailures?: number;
}

type Listener = (status: JobStatus) => void;

interface Watched {
  last?: JobStatus;
  listeners: Listener[];
  resolve: (status: JobStatus) => void;
  reject: (error: unknown) => void;
  done: Promise<JobStatus>;
}

function sameStatus(a: JobStatus | undefined, b: JobStatus): boolean {
  return a !== undefined && a.state === b.state && a.reason === b.reason && a.exitCode === b.exitCode;
}

export class JobPoller {
  private readonly watched = new Map<string, Watched>();
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxFailures: number;
  private delayMs: number;
  private looping = false;
  private wake?: () => void;
  private stopped?: SlurmError;

  constructor(private readonly options: PollerOptions) {
    this.minDelayMs = options.minDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 5000;
    this.maxFailures = options.maxConsecutiveFailures ?? 10;
    this.delayMs = this.minDelayMs;
  }

  /** Resolves with the job's final status; `onChange` hears every status change on the way (pending → running …). */
  watch(id: string, onChange?: Listener): Promise<JobStatus> {
    if (this.stopped) return Promise.reject(this.stopped);
    let entry = this.watched.get(id);
    if (!entry) {
      let resolve!: (status: JobStatus) => void;
      let reject!: (error: unknown) => void;
      const done = new Promise<JobStatus>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      entry = { listeners: [], resolve, reject, done };
      this.watched.set(id, entry);
    }
    if (onChange) entry.listeners.push(onChange);
    // A job just submitted changes state within a second: look soon.
    this.delayMs = this.minDelayMs;
    this.wake?.();
    this.start();
    return entry.done;
  }

  /** Stops polling; every job still watched rejects with an `interrupted` error. Slurm's jobs are not touched. */
  stop(message = 'stopped waiting for Slurm jobs'): void {
    this.stopped = new SlurmError('interrupted', message);
    for (const entry of this.watched.values()) entry.reject(this.stopped);
    this.watched.clear();
    this.wake?.();
  }

  private start(): void {
    if (this.looping) return;
    this.looping = true;
    void this.loop().finally(() => {
      this.looping = false;
      if (this.watched.size > 0 && !this.stopped) this.start();
    });
  }

  private async loop(): Promise<void> {
    let failures = 0;
    // Jobs watched in the same tick (a batch of submissions) share the first query.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.watched.size > 0 && !this.stopped) {
      let changed = false;
      try {
        const statuses = await this.options.query([...this.watched.keys()]);
        failures = 0;
        for (const [id, status] of statuses) changed = this.update(id, status) || changed;
      } catch (error) {
        failures += 1;
        if (failures >= this.maxFailures) {
          for (const entry of this.watched.values()) entry.reject(error);
          this.watched.clear();
          return;
        }
      }
      this.delayMs = changed ? this.minDelayMs : Math.min(this.delayMs * 2, this.maxDelayMs);
      if (this.watched.size > 0) await this.sleep(this.delayMs);
    }
  }

  private update(id: string, status: JobStatus): boolean {
    const entry = this.watched.get(id);
    if (!entry || sameStatus(entry.last, status)) return false;
    entry.last = status;
    try {
      for (const listener of entry.listeners) listener(status);
    } catch (error) {
      // A listener's own bug must not stop the polling of the other jobs.
      this.watched.delete(id);
      entry.reject(error);
      return true;
    }
    if (isFinal(status.state)) {
      this.watched.delete(id);
      entry.resolve(status);
    }
    return true;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
