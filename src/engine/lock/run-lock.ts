// One `pipeline run` per project at a time: an exclusive lock file naming its owner, broken only when the owner is dead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExitCode, PipelineError } from '../errors.js';

interface Owner {
  pid: number;
  host: string;
  started: string;
  command: string;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): Owner | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Owner;
  } catch {
    return undefined;
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
  const me: Owner = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), command };
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
      return {
        release() {
          if (readOwner(file)?.pid === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(file);
    if (!owner || (owner.host === os.hostname() && !processAlive(owner.pid))) {
      // Dead owner (or a lock file cut short while being written): remove it and try again.
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new PipelineError(
        'project-busy',
        `another pipeline command (pid ${owner.pid} on ${owner.host}, \`${owner.command}\`, started ${owner.started}) holds ${file}; wait for it to finish, or pass --wait SECONDS`,
        { exitCode: ExitCode.projectBusy },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
