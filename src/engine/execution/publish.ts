// Copies (parts of) a stage's output to where people look (reports/…), touching only files whose bytes differ.
import fs from 'node:fs';
import path from 'node:path';
import type { Entry } from '../cache/store.js';
import type { FileHashes } from '../fingerprint/file-hashes.js';

async function copyIfChanged(from: string, to: string, expectedHash: string, hashes: FileHashes): Promise<boolean> {
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
  fs.chmodSync(temporary, 0o644);
  fs.renameSync(temporary, to);
  hashes.remember(to, fs.statSync(to, { bigint: true }), expectedHash);
  return true;
}

/** Returns, per destination, how many files were updated. */
export async function publishEntry(root: string, entry: Entry, publish: Record<string, string>, hashes: FileHashes): Promise<{ destination: string; files: number }[]> {
  const results: { destination: string; files: number }[] = [];
  for (const [from, to] of Object.entries(publish)) {
    const prefix = from.replace(/\/+$/, '');
    const chosen = entry.manifest.files.filter((file) => prefix === '' || file.path === prefix || file.path.startsWith(`${prefix}/`));
    const destination = path.resolve(root, to);
    const singleFile = chosen.length === 1 && chosen[0].path === prefix;
    let updated = 0;
    for (const file of chosen) {
      const relative = prefix === '' ? file.path : file.path === prefix ? path.basename(file.path) : file.path.slice(prefix.length + 1);
      const target = singleFile && !to.endsWith('/') ? destination : path.join(destination, relative);
      if (await copyIfChanged(path.join(entry.out, file.path), target, file.sha256, hashes)) updated += 1;
    }
    results.push({ destination: path.relative(root, destination) || '.', files: updated });
  }
  return results;
}
