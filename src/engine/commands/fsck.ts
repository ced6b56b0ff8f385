// `pipeline fsck`: re-reads cache entries byte for byte against their manifests, naming (or, with --repair, dropping) the damaged ones.
import fs from 'node:fs';
import { formatBytes } from './gc.js';
import { expandNames } from '../execution/selection.js';
import { readLock } from '../lock/lockfile.js';
import { acquireRunLock } from '../lock/run-lock.js';
import { openProjectFile, type Project } from '../project.js';

interface Target {
  key: string;
  stage?: string;
}

/** The entries of the named stages (by their keys in the lock), or every entry in the cache. */
function targetsOf(project: Project, stages: readonly string[], write: (text: string) => void): Target[] {
  if (stages.length === 0) return project.store.listKeys().map((key) => ({ key, stage: project.store.read(key)?.run.stage }));
  const locked = readLock(project.lockFile, project.lockMemo).stages;
  const targets: Target[] = [];
  for (const stage of expandNames(project.pipeline, stages)) {
    const key = locked[stage]?.key;
    if (key === undefined) write(`not locked ${stage}: not in ${project.lockFile}, nothing to check\n`);
    else targets.push({ key, stage });
  }
  return targets;
}

async function damageOf(project: Project, key: string): Promise<string | undefined> {
  const entry = project.store.inspect(key);
  if (!entry) return 'it vanished while being checked';
  if ('damaged' in entry) return entry.damaged;
  return project.store.check(entry, project.hashes, true);
}

export async function fsckCommand(options: { file: string; stages: string[]; repair: boolean }, write: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  const project = openProjectFile(options.file);
  project.store.checkLayout();
  // Reading needs no lock; dropping entries must not race a run that is using them.
  const lock = options.repair ? await acquireRunLock(project.runLockFile, 'pipeline fsck --repair') : undefined;
  try {
    const targets = targetsOf(project, options.stages, write);
    const before = project.hashes.bytesRead;
    const damaged: Target[] = [];
    let missing = 0;
    for (const target of targets) {
      const name = `${target.stage ?? '?'} (${target.key.slice(0, 12)})`;
      if (!fs.existsSync(project.store.entryDir(target.key))) {
        write(`missing    ${name}: no entry in cache/ (the next run rebuilds it)\n`);
        missing += 1;
        continue;
      }
      const damage = await damageOf(project, target.key);
      if (!damage) continue;
      damaged.push(target);
      write(`damaged    ${name}: ${damage}\n`);
      if (options.repair) {
        project.store.discard(target.key, project.hashes);
        write(`dropped    ${name} (the next run rebuilds it)\n`);
      }
    }
    project.hashes.save();
    const read = formatBytes(project.hashes.bytesRead - before);
    const checked = targets.length - missing;
    const summary = `checked ${checked} cache entr${checked === 1 ? 'y' : 'ies'} byte for byte (${read} read): `;
    if (damaged.length === 0) {
      write(`${summary}all intact\n`);
      return 0;
    }
    write(`${summary}${damaged.length} damaged${options.repair ? ', dropped' : '; `pipeline fsck --repair` drops them, then the next run rebuilds them'}\n`);
    return options.repair ? 0 : 1;
  } finally {
    lock?.release();
  }
}
