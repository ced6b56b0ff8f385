// A stage's key: the hash of everything that can change its output, kept as a record so status can explain a change.
import fs from 'node:fs';
import path from 'node:path';
import { hashValue } from './canonical.js';
import type { FileHashes } from './file-hashes.js';

export interface FingerprintRecord {
  cmd: string;
  /** Param values flattened to dotted keys, so a change names the exact key. */
  params: Record<string, unknown>;
  /** Project-relative path → sha256 of its content. */
  deps: Record<string, string>;
  /** Input name → hash of the upstream output(s). */
  needs: Record<string, string>;
  env: Record<string, string>;
  toolchain: Record<string, string>;
}

export function flattenParams(value: unknown, prefix = '', into: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) into[prefix] = {};
    for (const [key, item] of entries) flattenParams(item, prefix ? `${prefix}.${key}` : key, into);
  } else {
    into[prefix] = value;
  }
  return into;
}

export function toolchainStamp(envNames: readonly string[], environment: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const stamp: Record<string, string> = {
    node: process.versions.node.split('.')[0],
    platform: `${process.platform}-${process.arch}`,
  };
  for (const name of envNames) stamp[`env.${name}`] = environment[name] ?? '';
  return stamp;
}

/** Hashes dep files: a stat per file, a read only when (inode, size, mtime) changed since the last hash. */
export async function hashDeps(root: string, files: readonly string[], hashes: FileHashes): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const pending: Promise<void>[] = [];
  for (const file of files) {
    const absolute = path.join(root, file);
    const known = hashes.lookup(absolute, fs.statSync(absolute, { bigint: true }));
    if (known) result[file] = known.hash;
    else pending.push(hashes.hash(absolute).then((hashed) => void (result[file] = hashed.hash)));
  }
  await Promise.all(pending);
  return Object.fromEntries(Object.entries(result).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function keyOf(record: FingerprintRecord): string {
  return hashValue(record);
}
