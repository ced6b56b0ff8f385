// Cleans up after runners that died (kill -9, power loss): kills their stage processes, removes their staging dirs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processAlive } from '../lock/run-lock.js';
import { madeByRunner, readRunOwner } from '../cache/run-dirs.js';
import { removeTree } from '../cache/store.js';

/** Pids of processes whose environment carries PIPELINE_RUN_ID=<runId> (Linux /proc; elsewhere none are found). */
function processesOfRun(runId: string): number[] {
  const marker = Buffer.from(`PIPELINE_RUN_ID=${runId}\0`);
  const found: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`).includes(marker)) found.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

/**
 * Whether the runner that owns a run dir (its owner.json, written by CacheStore.openRun) may still be at
 * work: alive on this host, or on another host we cannot check. A dir without a readable owner is dead.
 */
export function runOwnerAlive(runDir: string): boolean {
  const owner = readRunOwner(runDir);
  return owner !== undefined && (owner.host !== os.hostname() || processAlive(owner.pid));
}

/**
 * Returns the run ids that were cleaned up. Call it while holding the project lock. Runs in `keep` are left
 * alone: their Slurm jobs are still running and this run may take them over. Only what a runner made is
 * touched (see run-dirs.ts): anything else under tmp/ is someone else's.
 */
export function reapDeadRuns(tmpDir: string, keep: ReadonlySet<string> = new Set()): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(tmpDir);
  } catch {
    return [];
  }
  const reaped: string[] = [];
  for (const name of names) {
    const dir = path.join(tmpDir, name);
    if (keep.has(name)) continue;
    const made = madeByRunner(tmpDir, name);
    if (made === undefined) continue;
    if (made === 'discarded') {
      removeTree(dir);
      continue;
    }
    if (runOwnerAlive(dir)) continue;
    for (const pid of processesOfRun(name)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    removeTree(dir);
    reaped.push(name);
  }
  return reaped;
}
