// PIPELINE_UPSTREAM, handed only to stages with `provenance: true`: what it holds, and the part of their key that covers it.
import type { Entry } from '../cache/store.js';
import { lockInfo, type StageInfo } from '../lock/locked-stage.js';
import { hashValue } from './canonical.js';

/** What PIPELINE_UPSTREAM holds of an upstream stage that is a function of inputs: what pipeline.lock records of it. */
interface UpstreamResult {
  output_hash: string;
  info: StageInfo;
  metrics: Record<string, number>;
}

function resultOf(entry: Entry): UpstreamResult {
  return { output_hash: entry.manifest.output_hash, info: lockInfo(entry.run.info) ?? {}, metrics: entry.run.metrics ?? {} };
}

/**
 * The key's `upstream` field: each upstream stage's name → the hash of its output hash, info and metrics. Not its
 * key (an upstream rerun that writes the same bytes must not rerun this stage) nor its path (one machine's).
 * By name, as deps are, so the lock's text does not follow the order of stages in pipeline.yaml.
 */
export function upstreamRecord(upstream: readonly string[], entries: ReadonlyMap<string, Entry>): Record<string, string> {
  const names = [...upstream].sort((a, b) => (a < b ? -1 : 1));
  return Object.fromEntries(names.map((name) => [name, hashValue(resultOf(entries.get(name)!))]));
}

/**
 * The file itself: the above, plus `key` (to find the upstream run record) and `path` (where its output is),
 * which the key does not cover and a stage must not write into its output (docs/stage-interface.md). No
 * durations or hosts: a report built from them would differ on every run, and so would its output hash.
 */
export function upstreamFile(upstream: readonly string[], entries: ReadonlyMap<string, Entry>): Record<string, unknown> {
  return Object.fromEntries(
    upstream.map((name) => {
      const entry = entries.get(name)!;
      return [name, { key: entry.key, ...resultOf(entry), path: entry.out }];
    }),
  );
}
