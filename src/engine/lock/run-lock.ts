// One `pipeline run` per project at a time: an exclusive lock file naming its owner, taken over only when the owner is dead.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExitCode, PipelineError } from '../errors.js';

interface Owner {
  pid: number;
  host: string;
  started: string;
  command: string;
  /** Makes every lock file's text unique, so a take-over names exactly the lock it found dead. */
  nonce?: string;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parseOwner(text: string | undefined): Owner | undefined {
  try {
    const owner = JSON.parse(text ?? '') as Owner;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Dead: a process of this host that is gone. A lock of another host is never judged dead from here. */
function ownerDead(owner: Owner | undefined): boolean {
  return owner === undefined || (owner.host === os.hostname() && !processAlive(owner.pid));
}

/**
 * Creates `file` holding `text` if it does not exist, atomically and complete: the text is written to a
 * private file first and hard-linked into place (link fails if the name exists), so nobody ever reads a
 * lock cut short. Returns false when the file exists.
 */
function createExclusive(file: string, text: string): boolean {
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.new`;
  fs.writeFileSync(temporary, text);
  try {
    fs.linkSync(temporary, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    // A filesystem without hard links: an exclusive create (a reader may see it empty for a moment).
    try {
      fs.writeFileSync(file, text, { flag: 'wx' });
      return true;
    } catch (inner) {
      if ((inner as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw inner;
    }
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/**
 * Removes the lock whose text is `stale` (its owner is dead), if this process wins the right to: one
 * exclusive take-over token per stale lock, so of all the runners that found the same dead owner exactly
 * one removes it; the others see the winner's lock next. A token whose holder died before finishing is
 * passed over by creating the next one (`-1`, `-2`, …), again exclusively. The lock is removed only while
 * it still holds `stale`, which only the token's holder may remove: a fresh lock is never deleted.
 * Returns false when another live process is taking over.
 */
function takeOver(file: string, stale: string, me: string): boolean {
  const base = `${file}.takeover-${crypto.createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
  let level = 0;
  for (; ; level++) {
    const token = `${base}-${level}`;
    if (createExclusive(token, me)) break;
    const holder = readText(token);
    if (holder === undefined) return false; // Removed just now by a winner that has finished.
    if (!ownerDead(parseOwner(holder))) return false;
  }
  if (readText(file) === stale) fs.rmSync(file, { force: true });
  for (let index = 0; index <= level; index++) fs.rmSync(`${base}-${index}`, { force: true });
  return true;
}

/** An unreadable lock younger than a second may be one whose writer has not finished. */
function beingWritten(file: string): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs < 1000;
  } catch {
    return false;
  }
}

export interface RunLock {
  release(): void;
}

/**
 * Takes the project lock, waiting up to `waitMs` for a live owner to finish. A lock left by a killed
 * runner on this host (its pid is gone) is taken over at once, which is what a rerun after kill -9 needs;
 * lock libraries that rely on stale timeouts would make that rerun wait or fail.
 */
export async function acquireRunLock(file: string, command: string, waitMs = 0): Promise<RunLock> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const me: Owner = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), command, nonce: crypto.randomBytes(8).toString('hex') };
  const text = JSON.stringify(me);
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (createExclusive(file, text)) {
      return {
        release() {
          if (readText(file) === text) fs.rmSync(file, { force: true });
        },
      };
    }
    const found = readText(file);
    if (found === undefined) continue; // Released between our attempt and the read.
    const owner = parseOwner(found);
    if (owner === undefined && beingWritten(file)) {
      // Where hard links are missing, a lock is created empty and then written: give its writer a moment.
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    if (ownerDead(owner)) {
      // Dead owner (or a damaged lock file): one of the runners that noticed takes it over.
      if (!takeOver(file, found, text)) await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    if (Date.now() >= deadline) {
      throw new PipelineError(
        'project-busy',
        `another pipeline command (pid ${owner!.pid} on ${owner!.host}, \`${owner!.command}\`, started ${owner!.started}) holds ${file}; wait for it to finish, or pass --wait SECONDS`,
        { exitCode: ExitCode.projectBusy },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
