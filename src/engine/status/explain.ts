// Says exactly what changed between the inputs a stage was last run with and its inputs now.
import type { FingerprintRecord } from '../fingerprint/fingerprint.js';
import { canonicalJson } from '../fingerprint/canonical.js';

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : canonicalJson(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function compareMaps(label: string, before: Record<string, unknown>, after: Record<string, unknown>, describe: (key: string, was: unknown, now: unknown) => string): string[] {
  const reasons: string[] = [];
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const was = before[key];
    const now = after[key];
    if (!(key in before)) reasons.push(`${label} ${key} added`);
    else if (!(key in after)) reasons.push(`${label} ${key} removed`);
    else if (canonicalJson(was) !== canonicalJson(now)) reasons.push(describe(key, was, now));
  }
  return reasons;
}

/** `targets` maps an input name to the stage or group it reads, to name it in the message. */
/** Two long commands differ somewhere in the middle: show both around the first difference. */
function showDifference(before: string, after: string): string {
  let start = 0;
  while (start < before.length && before[start] === after[start]) start += 1;
  const from = Math.max(0, start - 20);
  const clip = (text: string) => `${from > 0 ? '…' : ''}${text.slice(from, start + 40)}${text.length > start + 40 ? '…' : ''}`;
  return `${clip(before)} → ${clip(after)}`;
}

/** A long list of changes (a refactor's deps, a rerun's upstream results): a few named, the rest counted. */
function fewOf(reasons: string[], what: string): string[] {
  return reasons.length > 4 ? [...reasons.slice(0, 3), `and ${reasons.length - 3} more ${what}`] : reasons;
}

/**
 * What changed in PIPELINE_UPSTREAM (a stage with `provenance: true`): an upstream stage renamed (the same
 * result under another name: the old name would stay in a report), added, removed, or its result changed.
 */
function upstreamChanges(before: Record<string, string> | undefined, after: Record<string, string> | undefined): string[] {
  if (!before && !after) return [];
  if (!before) return ['provenance: true: it gets PIPELINE_UPSTREAM, and its key now covers it'];
  if (!after) return ['provenance: true removed: it no longer gets PIPELINE_UPSTREAM'];
  const removed = Object.keys(before).filter((name) => !(name in after));
  const added = Object.keys(after).filter((name) => !(name in before));
  const reasons: string[] = [];
  for (const name of removed) {
    const renamed = added.findIndex((other) => after[other] === before[name]);
    if (renamed === -1) reasons.push(`PIPELINE_UPSTREAM: upstream ${name} removed`);
    else reasons.push(`PIPELINE_UPSTREAM: upstream ${name} renamed to ${added.splice(renamed, 1)[0]}`);
  }
  reasons.push(...added.map((name) => `PIPELINE_UPSTREAM: upstream ${name} added`));
  const changed = Object.keys(after).filter((name) => name in before && before[name] !== after[name]);
  reasons.push(...changed.map((name) => `PIPELINE_UPSTREAM: output, info or metrics of upstream ${name} changed`));
  return fewOf(reasons, 'PIPELINE_UPSTREAM change(s)');
}

export function explainChange(before: FingerprintRecord | undefined, after: FingerprintRecord, targets: Record<string, string> = {}): string[] {
  if (!before) return ['never run'];
  const reasons: string[] = [];
  if (before.cmd !== after.cmd) reasons.push(`command changed: ${showDifference(before.cmd, after.cmd)}`);
  reasons.push(...compareMaps('param', before.params ?? {}, after.params ?? {}, (key, was, now) => `param ${key}: ${show(was)} → ${show(now)}`));
  const deps = compareMaps('dep', before.deps ?? {}, after.deps ?? {}, (key) => `dep ${key} changed`);
  // A refactor touches many files at once: name a few, count the rest.
  reasons.push(...fewOf(deps, 'dep change(s)'));
  reasons.push(...compareMaps('input', before.needs ?? {}, after.needs ?? {}, (key) => `output of upstream ${targets[key] ?? key} changed`));
  reasons.push(...compareMaps('env', before.env ?? {}, after.env ?? {}, (key, was, now) => `env ${key}: ${show(was)} → ${show(now)}`));
  reasons.push(...compareMaps('toolchain', before.toolchain ?? {}, after.toolchain ?? {}, (key, was, now) => `toolchain ${key}: ${show(was)} → ${show(now)}`));
  reasons.push(...upstreamChanges(before.upstream, after.upstream));
  return reasons;
}
