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
  /**
   * Only for a stage with `provenance: true`: each stage PIPELINE_UPSTREAM names → the hash of what it holds of it
   * that is a function of inputs (output hash, info, metrics; src/engine/fingerprint/provenance.ts).
   */
  upstream?: Record<string, string>;
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

/**
 * Hashes dep files: a stat per file, a read only when (inode, size, mtime) changed since the last hash.
 * `seen` is shared by all stages of a run, so a file thirty stages depend on is looked at once.
 */
export async function hashDeps(root: string, files: readonly string[], hashes: FileHashes, seen = new Map<string, Promise<string>>()): Promise<Record<string, string>> {
  const hashed = await Promise.all(
    files.map((file) => {
      let pending = seen.get(file);
      if (!pending) {
        const absolute = path.join(root, file);
        const known = hashes.lookup(absolute, fs.statSync(absolute, { bigint: true }));
        pending = known ? Promise.resolve(known.hash) : hashes.hash(absolute).then((result) => result.hash);
        seen.set(file, pending);
      }
      return pending;
    }),
  );
  const result: Record<string, string> = {};
  [...files]
    .map((file, index) => [file, hashed[index]] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .forEach(([file, hash]) => (result[file] = hash));
  return result;
}

export function keyOf(record: FingerprintRecord): string {
  return hashValue(record);
}
