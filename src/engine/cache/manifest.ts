// The list of files (size, sha256) of a stage output, and the one hash that stands for all of it.
import fs from 'node:fs';
import path from 'node:path';
import { hashValue } from '../fingerprint/canonical.js';
import type { FileHashes } from '../fingerprint/file-hashes.js';
import { listingUnchanged, rememberListing } from './listing-memo.js';

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  version: 1;
  files: ManifestFile[];
  links: { path: string; target: string }[];
  output_hash: string;
  bytes: number;
}

interface Listing {
  files: string[];
  links: { path: string; target: string }[];
}

function list(directory: string): Listing {
  const listing: Listing = { files: [], links: [] };
  const visit = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const relative = path.relative(directory, full).split(path.sep).join('/');
      if (entry.isDirectory()) visit(full);
      else if (entry.isSymbolicLink()) listing.links.push({ path: relative, target: fs.readlinkSync(full) });
      else if (entry.isFile()) listing.files.push(relative);
    }
  };
  visit(directory);
  listing.files.sort();
  listing.links.sort((a, b) => (a.path < b.path ? -1 : 1));
  return listing;
}

export function outputHash(files: readonly ManifestFile[], links: Manifest['links']): string {
  return hashValue({ files: files.map((file) => [file.path, file.size, file.sha256]), links: links.map((link) => [link.path, link.target]) });
}

/** The manifest of a staging dir's output: its files are hashed, not recorded in the memo under paths about to move. */
export async function buildManifest(directory: string, hashes: FileHashes): Promise<Manifest> {
  const { files, links } = list(directory);
  const hashed = await Promise.all(
    files.map(async (file) => {
      const { hash, size } = await hashes.hashUnrecorded(path.join(directory, file));
      return { path: file, size, sha256: hash };
    }),
  );
  return { version: 1, files: hashed, links, output_hash: outputHash(hashed, links), bytes: hashed.reduce((sum, file) => sum + file.size, 0) };
}

/**
 * Checks an output directory against its manifest; returns what differs, or undefined when intact. File
 * hashes come from the memo when (inode, size, mtime) are unchanged, unless `reread` (fsck) asks for the bytes.
 */
export async function findManifestMismatch(directory: string, manifest: Manifest, hashes: FileHashes, reread = false): Promise<string | undefined> {
  // The listing is checked only when a directory changed since it last matched (fsck always checks it).
  const listed = !reread && listingUnchanged(directory, manifest, hashes);
  if (!listed) {
    const { files, links } = list(directory);
    const expected = new Map(manifest.files.map((file) => [file.path, file]));
    for (const file of files) if (!expected.has(file)) return `unexpected file ${file}`;
    for (const link of links) {
      const wanted = manifest.links.find((candidate) => candidate.path === link.path);
      if (!wanted || wanted.target !== link.target) return `link ${link.path} changed`;
    }
    if (links.length !== manifest.links.length) return 'a link is missing';
  }
  for (const file of manifest.files) {
    const full = path.join(directory, file.path);
    let stat: fs.BigIntStats;
    try {
      stat = fs.statSync(full, { bigint: true });
    } catch {
      return `${file.path} is missing`;
    }
    if (Number(stat.size) !== file.size) return `${file.path} changed size (${file.size} → ${stat.size} bytes)`;
    const known = reread ? await hashes.rehash(full) : (hashes.lookup(full, stat) ?? (await hashes.hash(full)));
    if (known.hash !== file.sha256) return `${file.path} changed content`;
  }
  if (!listed) rememberListing(directory, manifest, hashes);
  return undefined;
}
