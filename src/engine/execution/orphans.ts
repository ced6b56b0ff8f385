// Cleans up after runners that died (kill -9, power loss): kills their stage processes, removes their staging dirs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processAlive } from '../lock/run-lock.js';
import { madeByRunner, readRunOwner } from '../cache/run-dirs.js';
import { removeTree } from '../cache/store.js';
import { killGroupAndDescendants, processIds } from './process-tree.js';

/** Pids of processes whose environment carries PIPELINE_RUN_ID=<runId> (Linux /proc; elsewhere none are found). */
function processesOfRun(runId: string): number[] {
  const marker = Buffer.from(`PIPELINE_RUN_ID=${runId}\0`);
  return processIds().filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/environ`).includes(marker);
    } catch {
      return false; // Gone, or not ours to read.
    }
  });
}

/** Beside a stage's log in its staging dir while its shell runs: the process group to kill if the runner dies. */
const groupFileName = 'group.json';

/** Where recordStageGroup writes a stage's group record (the stage launcher thread writes the same record). */
export function groupRecordFile(dir: string): string {
  return path.join(dir, groupFileName);
}

interface GroupRecord {
  pgid: number;
  /** The group leader's start time (clock ticks since boot), which tells our shell from a process given its pid later. */
  start: string;
  boot: string;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/PID/stat; undefined when there is no such process (or no /proc). */
function startTime(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

const bootId = () => readText('/proc/sys/kernel/random/boot_id');

/**
 * Notes the process group a stage's shell leads (its pid), so that a runner killed with kill -9 leaves the
 * next run a way to kill the whole group: children started with `env -i` carry no PIPELINE_RUN_ID to be
 * found by. Only where /proc says when the leader started (Linux); elsewhere the environment scan remains.
 */
export function recordStageGroup(dir: string, pid: number): void {
  const start = startTime(pid);
  const boot = bootId();
  if (start === undefined || boot === undefined) return;
  try {
    fs.writeFileSync(path.join(dir, groupFileName), JSON.stringify({ pgid: pid, start, boot } satisfies GroupRecord));
  } catch {
    // The staging dir is gone (the stage was cancelled): nothing left to clean up after.
  }
}

/** The group is dead (killed as the stage ended): its record must not make a later run kill a reused pgid. */
export function forgetStageGroup(dir: string): void {
  try {
    fs.rmSync(path.join(dir, groupFileName), { force: true });
  } catch {
    // Left behind it is harmless: the group is dead, and a process given its pid later started at another time.
  }
}

/**
 * Kills the process groups a dead run's stages led. The group is ours when its leader is the very process
 * recorded (same start time), or is gone: a pgid cannot be handed out again while any member lives, so the
 * members found under it are the stage's own. A record from before a reboot names nothing of ours.
 */
function killRecordedGroups(runDir: string): void {
  let stages: string[];
  try {
    stages = fs.readdirSync(runDir);
  } catch {
    return;
  }
  const boot = bootId();
  for (const stage of stages) {
    let record: Partial<GroupRecord>;
    try {
      record = JSON.parse(fs.readFileSync(path.join(runDir, stage, groupFileName), 'utf8')) as Partial<GroupRecord>;
    } catch {
      continue;
    }
    if (!Number.isInteger(record.pgid) || record.pgid! <= 1 || record.boot !== boot || typeof record.start !== 'string') continue;
    const leader = startTime(record.pgid!);
    if (leader !== undefined && leader !== record.start) continue;
    if (leader !== undefined) {
      // The stage's shell still runs: what it started in a session of its own (setsid) is found below it.
      killGroupAndDescendants(record.pgid!);
      continue;
    }
    try {
      process.kill(-record.pgid!, 'SIGKILL');
    } catch {
      // The group is empty.
    }
  }
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
    killRecordedGroups(dir);
    // Also by environment: a process that left its stage's group (setsid) still carries the run id.
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
