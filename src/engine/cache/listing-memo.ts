// Remembers that an entry's directories list exactly what its manifest says, by their (inode, size, mtime):
// adding, removing, renaming or relinking anything in a directory changes its mtime. A no-op run then
// stats each directory instead of listing it (open, getdents, close): the listing was 35 % of a no-op at 10,000 stages.
import fs from 'node:fs';
import path from 'node:path';
import type { FileHashes } from '../fingerprint/file-hashes.js';
import type { Manifest } from './manifest.js';

/** The output dir and every directory that holds one of the manifest's files or links, relative to it. */
function directoriesOf(manifest: Manifest): string[] {
  const dirs = new Set<string>(['']);
  for (const { path: file } of [...manifest.files, ...manifest.links]) {
    for (let dir = path.posix.dirname(file); dir !== '.' && !dirs.has(dir); dir = path.posix.dirname(dir)) dirs.add(dir);
  }
  return [...dirs];
}

/** What the memo holds for a directory: not a content hash, the output hash its listing was checked against. */
const mark = (manifest: Manifest) => `listing:${manifest.output_hash}`;

/** Call once the directories under `out` are known to list exactly the manifest's files and links. */
export function rememberListing(out: string, manifest: Manifest, hashes: FileHashes): void {
  for (const dir of directoriesOf(manifest)) {
    const full = path.join(out, dir);
    const stat = fs.statSync(full, { bigint: true, throwIfNoEntry: false });
    if (stat?.isDirectory()) hashes.remember(full, stat, mark(manifest));
  }
}

/** True when no directory under `out` changed since its listing was found to match the manifest. */
export function listingUnchanged(out: string, manifest: Manifest, hashes: FileHashes): boolean {
  const expected = mark(manifest);
  return directoriesOf(manifest).every((dir) => {
    const full = path.join(out, dir);
    const stat = fs.statSync(full, { bigint: true, throwIfNoEntry: false });
    return stat !== undefined && stat.isDirectory() && hashes.lookup(full, stat)?.hash === expected;
  });
}
