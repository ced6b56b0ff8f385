// Checks that an entry's manifest.json and run.json have the shape the engine reads, so a damaged one is rebuilt, not crashed on.
import type { Manifest } from './manifest.js';

const sha = /^[0-9a-f]{64}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** What is wrong with a parsed manifest.json, or undefined when the engine can use it. */
export function manifestProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'manifest.json is not an object';
  const manifest = value as Partial<Manifest>;
  if (!Array.isArray(manifest.files)) return 'manifest.json has no files list';
  const badFile = manifest.files.find((file: unknown) => !isObject(file) || typeof file.path !== 'string' || typeof file.size !== 'number' || typeof file.sha256 !== 'string' || !sha.test(file.sha256));
  if (badFile !== undefined) return `manifest.json lists a malformed file (${JSON.stringify(badFile).slice(0, 80)})`;
  if (!Array.isArray(manifest.links) || manifest.links.some((link: unknown) => !isObject(link) || typeof link.path !== 'string' || typeof link.target !== 'string')) return 'manifest.json has a malformed links list';
  if (typeof manifest.output_hash !== 'string' || !sha.test(manifest.output_hash)) return 'manifest.json has no output hash';
  if (typeof manifest.bytes !== 'number') return 'manifest.json has no byte count';
  return undefined;
}

/** What is wrong with a parsed run.json, or undefined. */
export function runRecordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'run.json is not an object';
  if (typeof value.stage !== 'string' || typeof value.key !== 'string' || typeof value.output_hash !== 'string') return 'run.json lacks its stage, key or output hash';
  if (typeof value.duration_s !== 'number' || !isObject(value.ran_on) || !isObject(value.record)) return 'run.json lacks its duration, host or fingerprint record';
  return undefined;
}
