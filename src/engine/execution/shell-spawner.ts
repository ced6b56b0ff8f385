// Starts stage shells from a worker thread, so the runner's main thread never waits on fork and exec.
import { Worker } from 'node:worker_threads';

/** How the shell ended, or why it never ran (`code`: E2BIG, EAGAIN, …). */
export interface ShellEnd {
  exitCode?: number;
  signal?: string;
  code?: string;
}

export interface ShellRequest {
  command: string;
  cwd: string;
  env: Record<string, string | undefined>;
  /** One descriptor for stdout and stderr; the caller closes it once `start` resolves. */
  logFd: number;
  /**
   * Where to note the shell's process group (see recordStageGroup in orphans.ts, whose record this is), written
   * by the thread that spawned it before it reports the pid: a runner killed in between leaves no stage unrecorded.
   */
  groupRecordFile?: string;
}

/**
 * Node's spawn returns only once the child has exec'd: 3 ms on an idle 2-core machine, 15 ms under load,
 * and longer as the runner's heap grows (fork copies its page tables). From the main thread that was a
 * third of a cheap stage's cost; in a worker it overlaps with hashing and committing the other stages.
 * CommonJS source run with `eval`, so the bundle needs no second entry file.
 */
const workerSource = `
const { parentPort } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const readText = (file) => { try { return fs.readFileSync(file, 'utf8').trim(); } catch { return undefined; } };
// The group record of orphans.ts: { pgid, start (field 22 of /proc/PID/stat), boot }, on Linux only.
function recordGroup(file, pid) {
  const stat = readText('/proc/' + pid + '/stat');
  const boot = readText('/proc/sys/kernel/random/boot_id');
  if (stat === undefined || boot === undefined) return;
  const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  try { fs.writeFileSync(file, JSON.stringify({ pgid: pid, start, boot })); } catch {}
}
parentPort.on('message', ({ id, command, cwd, env, logFd, groupRecordFile }) => {
  let child;
  try {
    // A group of its own (detached), so Ctrl-C reaches every process the stage started, not just the shell.
    child = spawn('/bin/sh', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', logFd, logFd] });
  } catch (error) {
    parentPort.postMessage({ id, started: true, end: { code: error.code ?? error.message } });
    return;
  }
  if (groupRecordFile !== undefined && child.pid !== undefined) recordGroup(groupRecordFile, child.pid);
  parentPort.postMessage({ id, started: true, pid: child.pid });
  let ended = false;
  child.once('error', (error) => {
    if (ended) return;
    ended = true;
    parentPort.postMessage({ id, end: { code: error.code ?? error.message } });
  });
  child.once('exit', (exitCode, signal) => {
    if (ended) return;
    ended = true;
    parentPort.postMessage({ id, end: { exitCode: exitCode ?? undefined, signal: signal ?? undefined } });
  });
});
`;

interface Pending {
  started: (pid: number | undefined) => void;
  ended: (end: ShellEnd) => void;
}

interface Reply {
  id: number;
  started?: true;
  pid?: number;
  end?: ShellEnd;
}

class ShellSpawner {
  private worker?: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerSource, { eval: true });
    worker.on('message', (reply: Reply) => this.receive(reply));
    worker.on('error', (error) => this.fail(`the stage launcher thread failed: ${error.message}`));
    worker.on('exit', () => this.fail('the stage launcher thread exited'));
    // Only running shells keep the runner alive (as spawned children would), not the idle thread.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private receive(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    if (reply.started) pending.started(reply.pid);
    if (reply.end) {
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker?.unref();
      pending.ended(reply.end);
    }
  }

  private fail(why: string): void {
    this.worker = undefined;
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.started(undefined);
      pending.ended({ code: why });
    }
  }

  /** Resolves once the shell has started (its pid) or could not start; `ended` resolves when it exits. */
  start(request: ShellRequest): Promise<{ pid?: number; ended: Promise<ShellEnd> }> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolveStart) => {
      let resolveEnd!: (end: ShellEnd) => void;
      const ended = new Promise<ShellEnd>((resolve) => (resolveEnd = resolve));
      this.pending.set(id, { started: (pid) => resolveStart({ pid, ended }), ended: (end) => resolveEnd(end) });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, ...request });
    });
  }
}

let spawner: ShellSpawner | undefined;

export function startShell(request: ShellRequest): Promise<{ pid?: number; ended: Promise<ShellEnd> }> {
  spawner ??= new ShellSpawner();
  return spawner.start(request);
}
