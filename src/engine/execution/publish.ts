// Copies (parts of) a stage's output to where people look (reports/…), touching only files whose bytes differ.
import fs from 'node:fs';
import path from 'node:path';
import type { Entry } from '../cache/store.js';
import { PipelineError, SpecError } from '../errors.js';
import type { FileHashes } from '../fingerprint/file-hashes.js';
import { sha256File } from '../fingerprint/hash-file.js';
import type { Project } from '../project.js';
import { ProjectPaths, realPathOf, within } from '../real-paths.js';
import { locate } from '../pipeline/yaml-source.js';

/** The bytes read from a cache entry while publishing differ from its manifest: the entry is damaged. */
export class DamagedWhilePublishing extends Error {}

/**
 * Where writing `to` really lands, when that is outside the project: its directory followed through
 * symlinks (a symlink at `to` itself is replaced, not written through).
 */
function escapeOf(paths: ProjectPaths, to: string): string | undefined {
  const real = path.join(realPathOf(path.dirname(to)), path.basename(to));
  return within(paths.realRoot, real) ? undefined : real;
}

/** Refuses, before anything runs, a publish destination that a symlink in the project leads outside it. */
export function checkPublishDestinations(project: Project, stages: readonly string[]): void {
  const paths = new ProjectPaths(project.pipeline.root);
  for (const name of stages) {
    const stage = project.pipeline.stages.get(name)!;
    for (const [from, to] of Object.entries(stage.publish)) {
      const destination = path.resolve(project.pipeline.root, to);
      let real = escapeOf(paths, destination);
      if (real === undefined && fs.statSync(destination, { throwIfNoEntry: false })?.isDirectory()) {
        const resolved = fs.realpathSync(destination);
        if (!within(paths.realRoot, resolved)) real = resolved;
      }
      if (real !== undefined) {
        const where = locate(project.pipeline.source, [...stage.sourcePath, 'publish', ...(from === '' ? [] : [from])]);
        throw new SpecError('spec-path-escapes-root', where, `publish destination "${to}" leads outside the project through a symlink: it resolves to ${real}`);
      }
    }
  }
}

async function copyIfChanged(from: string, to: string, expected: { path: string; sha256: string }, hashes: FileHashes, paths: ProjectPaths): Promise<boolean> {
  const expectedHash = expected.sha256;
  const escape = escapeOf(paths, to);
  if (escape !== undefined) throw new PipelineError('spec-path-escapes-root', `publishing ${to} would write outside the project (${escape}) through a symlink; nothing was written there`);
  try {
    const stat = fs.statSync(to, { bigint: true });
    const current = hashes.lookup(to, stat) ?? (await hashes.hash(to));
    if (current.hash === expectedHash) return false;
  } catch {
    // Not there yet.
  }
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const temporary = `${to}.${process.pid}.publishing`;
  fs.copyFileSync(from, temporary);
  // The memo vouches for an entry's files by (inode, size, mtime) only: the bytes that leave the cache are read.
  if ((await sha256File(temporary)) !== expectedHash) {
    fs.rmSync(temporary, { force: true });
    throw new DamagedWhilePublishing(`${expected.path} changed content, found while publishing`);
  }
  fs.chmodSync(temporary, 0o644);
  fs.renameSync(temporary, to);
  hashes.remember(to, fs.statSync(to, { bigint: true }), expectedHash);
  return true;
}

/** Returns, per destination, how many files were updated. */
export async function publishEntry(root: string, entry: Entry, publish: Record<string, string>, hashes: FileHashes): Promise<{ destination: string; files: number }[]> {
  const results: { destination: string; files: number }[] = [];
  const paths = new ProjectPaths(root);
  for (const [from, to] of Object.entries(publish)) {
    const prefix = from.replace(/\/+$/, '');
    const chosen = entry.manifest.files.filter((file) => prefix === '' || file.path === prefix || file.path.startsWith(`${prefix}/`));
    const destination = path.resolve(root, to);
    const singleFile = chosen.length === 1 && chosen[0].path === prefix;
    let updated = 0;
    for (const file of chosen) {
      const relative = prefix === '' ? file.path : file.path === prefix ? path.basename(file.path) : file.path.slice(prefix.length + 1);
      const target = singleFile && !to.endsWith('/') ? destination : path.join(destination, relative);
      if (await copyIfChanged(path.join(entry.out, file.path), target, file, hashes, paths)) updated += 1;
    }
    results.push({ destination: path.relative(root, destination) || '.', files: updated });
  }
  return results;
}
