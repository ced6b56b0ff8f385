// What the runner creates under the cache's tmp/, named so that it (and only it) is recognised and cleaned up later.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Written into owner.json of every run dir: a directory without it was not made by a runner. */
const marker = 'linpath-run';

/** `20261129195137-4242-a1b2c3`: start time, runner pid, and randomness against pid reuse. */
const runIdPattern = /^\d{14}-\d+-[0-9a-f]{6}$/;
const discardedPattern = /^discarded-[0-9a-f]{64}-[0-9a-f]{8}$/;

export interface RunOwner {
  pid: number;
  host: string;
  started: string;
}

export function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
}

export function isRunId(name: string): boolean {
  return runIdPattern.test(name);
}

/** The name under tmp/ of an entry being deleted (renamed out of entries/ first). */
export function discardedName(key: string): string {
  return `discarded-${key}-${crypto.randomBytes(4).toString('hex')}`;
}

export function isDiscardedName(name: string): boolean {
  return discardedPattern.test(name);
}

/** Creates the run dir with its owner.json naming this process. */
export function createRunDir(tmp: string, runId: string): string {
  const dir = path.join(tmp, runId);
  fs.mkdirSync(dir, { recursive: true });
  const owner = { made_by: marker, pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  fs.writeFileSync(path.join(dir, 'owner.json'), JSON.stringify(owner));
  return dir;
}

/** The owner recorded in a run dir; undefined when the dir holds no owner.json a runner wrote. */
export function readRunOwner(dir: string): RunOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(path.join(dir, 'owner.json'), 'utf8')) as Partial<RunOwner> & { made_by?: string };
    // Run dirs made before the marker existed carry the same three fields.
    const shaped = typeof owner.pid === 'number' && typeof owner.host === 'string' && typeof owner.started === 'string';
    return shaped && (owner.made_by === marker || owner.made_by === undefined) ? (owner as RunOwner) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `name` under tmp/ is something a runner made: a run dir (run-id name and a runner's owner.json, or
 * still empty: its runner died between mkdir and writing owner.json) or an entry being discarded. Anything
 * else under tmp/ belongs to someone else (PIPELINE_CACHE_DIR may point at a shared directory) and is left alone.
 */
export function madeByRunner(tmp: string, name: string): 'run' | 'discarded' | undefined {
  if (isDiscardedName(name)) return 'discarded';
  if (!isRunId(name)) return undefined;
  const dir = path.join(tmp, name);
  if (readRunOwner(dir)) return 'run';
  try {
    return fs.readdirSync(dir).length === 0 ? 'run' : undefined;
  } catch {
    return undefined;
  }
}
