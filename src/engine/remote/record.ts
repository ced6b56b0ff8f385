// A remote record: a stage key's manifest and run record, and the checks that make a record from the wire safe to act on.
import path from 'node:path';
import type { Entry, RunRecord } from '../cache/store.js';
import { manifestProblem, runRecordProblem } from '../cache/entry-shape.js';
import { outputHash, type Manifest } from '../cache/manifest.js';
import { keyOf } from '../fingerprint/fingerprint.js';
import { RemoteError } from './errors.js';

export interface RemoteRecord {
  version: 1;
  key: string;
  manifest: Manifest;
  run: RunRecord;
}

export function encodeRecord(entry: Entry): Buffer {
  const record: RemoteRecord = { version: 1, key: entry.key, manifest: entry.manifest, run: entry.run };
  return Buffer.from(JSON.stringify(record));
}

/** A relative path that stays inside the output dir: no absolute path, no `..`, no empty or `.` part. */
function unsafePath(relative: string): boolean {
  if (relative === '' || path.posix.isAbsolute(relative) || relative.includes('\\') || relative.includes('\0')) return true;
  return relative.split('/').some((part) => part === '' || part === '.' || part === '..');
}

/** Why a parsed record cannot be used for `key`, or undefined. */
function recordProblem(key: string, value: Partial<RemoteRecord>): string | undefined {
  if (value.version !== 1) return `version ${String(value.version)} is not one this linpath reads`;
  if (value.key !== key) return 'it is filed under another key';
  const shape = manifestProblem(value.manifest) ?? runRecordProblem(value.run);
  if (shape) return shape;
  const { manifest, run } = value as RemoteRecord;
  // The key is the hash of the inputs record: a record claiming other inputs for this key is not this stage's.
  if (keyOf(run.record) !== key || run.key !== key) return 'its inputs do not hash to its key';
  if (outputHash(manifest.files, manifest.links) !== manifest.output_hash || run.output_hash !== manifest.output_hash) return 'its output hash does not match its file list';
  if (manifest.files.reduce((sum, file) => sum + file.size, 0) !== manifest.bytes) return 'its byte count does not match its file list';
  const paths = [...manifest.files.map((file) => file.path), ...manifest.links.map((link) => link.path)];
  const bad = paths.find(unsafePath);
  if (bad !== undefined) return `it names a path outside its output (${JSON.stringify(bad).slice(0, 80)})`;
  if (new Set(paths).size !== paths.length) return 'it names a path twice';
  // A file below a link would be written through the link, wherever it points.
  const below = manifest.links.find((link) => paths.some((other) => other.startsWith(`${link.path}/`)));
  if (below) return `it names a path below its link ${below.path}`;
  return undefined;
}

/** Parses and checks a record fetched for `key`; a bad one is a typed failure naming the remote and the key. */
export function decodeRecord(remoteName: string, key: string, bytes: Buffer): RemoteRecord {
  let value: Partial<RemoteRecord>;
  try {
    value = JSON.parse(bytes.toString('utf8')) as Partial<RemoteRecord>;
  } catch (cause) {
    throw new RemoteError('remote-bad-record', `remote ${remoteName}: record ${key.slice(0, 12)} is not JSON`, { cause });
  }
  const problem = value !== null && typeof value === 'object' ? recordProblem(key, value) : 'it is not an object';
  if (problem) throw new RemoteError('remote-bad-record', `remote ${remoteName}: record ${key.slice(0, 12)} rejected: ${problem}`);
  return value as RemoteRecord;
}
