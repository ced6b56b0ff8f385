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

export function explainChange(before: FingerprintRecord | undefined, after: FingerprintRecord, targets: Record<string, string> = {}): string[] {
  if (!before) return ['never run'];
  const reasons: string[] = [];
  if (before.cmd !== after.cmd) reasons.push(`command changed: ${showDifference(before.cmd, after.cmd)}`);
  reasons.push(...compareMaps('param', before.params ?? {}, after.params ?? {}, (key, was, now) => `param ${key}: ${show(was)} → ${show(now)}`));
  const deps = compareMaps('dep', before.deps ?? {}, after.deps ?? {}, (key) => `dep ${key} changed`);
  // A refactor touches many files at once: name a few, count the rest.
  reasons.push(...(deps.length > 4 ? [...deps.slice(0, 3), `and ${deps.length - 3} more dep change(s)`] : deps));
  reasons.push(...compareMaps('input', before.needs ?? {}, after.needs ?? {}, (key) => `output of upstream ${targets[key] ?? key} changed`));
  reasons.push(...compareMaps('env', before.env ?? {}, after.env ?? {}, (key, was, now) => `env ${key}: ${show(was)} → ${show(now)}`));
  reasons.push(...compareMaps('toolchain', before.toolchain ?? {}, after.toolchain ?? {}, (key, was, now) => `toolchain ${key}: ${show(was)} → ${show(now)}`));
  return reasons;
}
