// `pipeline gc`: deletes cache entries that no lock file sharing the cache, nor one of the last runs, refers to.
import fs from 'node:fs';
import path from 'node:path';
import { removeTree } from '../cache/store.js';
import { reapDeadRuns } from '../execution/orphans.js';
import { locksSharingCache, rememberLockFile } from '../lock/known-locks.js';
import { acquireRunLock } from '../lock/run-lock.js';
import { openProjectFile } from '../project.js';

function sizeOf(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += sizeOf(full);
    else if (entry.isFile()) total += fs.statSync(full).size;
  }
  return total;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export async function gcCommand(options: { file: string; keepRuns: number; dryRun: boolean }, write: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  const project = openProjectFile(options.file);
  project.store.checkLayout();
  const lock = await acquireRunLock(project.runLockFile, 'pipeline gc');
  try {
    const { root } = project.pipeline;
    const locks = locksSharingCache(root, project.lockFile, project.store.state);
    const keep = new Set(locks.flatMap((known) => known.keys));
    const shown = (file: string) => (path.dirname(file) === root ? path.basename(file) : file);
    const considered = locks.map((known) => `${shown(known.file)} (${known.keys.length} stage${known.keys.length === 1 ? '' : 's'})`);
    write(`keeping what ${considered.length === 0 ? 'recent runs use (no lock file yet)' : `these lock files name: ${considered.join(', ')}`}\n`);
    const runsFile = path.join(project.store.state, 'runs.jsonl');
    let runs: string[] = [];
    try {
      runs = fs
        .readFileSync(runsFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '');
    } catch {
      runs = [];
    }
    const recent = runs.slice(-options.keepRuns);
    for (const line of recent) {
      try {
        for (const key of Object.values((JSON.parse(line) as { keys: Record<string, string> }).keys)) keep.add(key);
      } catch {
        // A torn last line from a killed run: nothing to keep from it.
      }
    }
    let freed = 0;
    let removed = 0;
    for (const key of project.store.listKeys()) {
      if (keep.has(key)) continue;
      const dir = project.store.entryDir(key);
      freed += sizeOf(dir);
      removed += 1;
      if (!options.dryRun) {
        project.hashes.forgetUnder(dir);
        removeTree(dir);
      }
    }
    if (!options.dryRun) {
      rememberLockFile(project.store.state, project.lockFile);
      reapDeadRuns(project.store.tmp);
      if (runs.length > recent.length) fs.writeFileSync(runsFile, recent.map((line) => `${line}\n`).join(''));
      project.hashes.save();
    }
    const kept = project.store.listKeys().length - (options.dryRun ? removed : 0);
    write(
      `${options.dryRun ? 'would remove' : 'removed'} ${removed} cache entr${removed === 1 ? 'y' : 'ies'}, ${formatBytes(freed)} ${options.dryRun ? 'would be ' : ''}freed; ${kept} kept (${locks.length === 0 ? '' : `the lock file${locks.length === 1 ? '' : 's'} and `}the last ${options.keepRuns} run(s))\n`,
    );
    return 0;
  } finally {
    lock.release();
  }
}
