// Decides, for a stage whose upstream is settled, which of three outcomes applies: fresh, restored from cache, or must run.
import { hashValue } from '../fingerprint/canonical.js';
import { flattenParams, keyOf, type FingerprintRecord } from '../fingerprint/fingerprint.js';
import type { Entry } from '../cache/store.js';
import type { LockedStage } from '../lock/lockfile.js';
import type { Project } from '../project.js';
import type { StageDefinition } from '../pipeline/stage.js';
import type { StageInput } from '../pipeline/graph.js';
import { explainChange } from '../status/explain.js';

export type Decision =
  | { outcome: 'fresh'; key: string; record: FingerprintRecord; entry: Entry }
  | { outcome: 'restored'; key: string; record: FingerprintRecord; entry: Entry }
  | { outcome: 'needs-run'; key: string; record: FingerprintRecord; reasons: string[]; corrupt?: string };

/** The hash that stands for an input: one stage's output hash, or a group's member → hash map. */
export function inputHash(input: StageInput, outputHashes: ReadonlyMap<string, string>, memberKey: (stage: string) => string): string {
  if (!input.isGroup) return outputHashes.get(input.stages[0])!;
  return hashValue(Object.fromEntries(input.stages.map((stage) => [memberKey(stage), outputHashes.get(stage)!])));
}

export function fingerprintOf(
  stage: StageDefinition,
  inputs: readonly StageInput[],
  deps: Record<string, string>,
  outputHashes: ReadonlyMap<string, string>,
  toolchain: Record<string, string>,
  memberKey: (stage: string) => string,
  upstream?: Record<string, string>,
): FingerprintRecord {
  return {
    cmd: stage.cmd,
    params: flattenParams(stage.params),
    deps,
    needs: Object.fromEntries(inputs.map((input) => [input.name, inputHash(input, outputHashes, memberKey)])),
    env: stage.env,
    toolchain,
    // Only for a stage with `provenance: true`: absent, every other stage's record, and so its key, is what it was before.
    ...(upstream ? { upstream } : {}),
  };
}

export async function decide(project: Project, stage: StageDefinition, record: FingerprintRecord, locked: LockedStage | undefined, force: boolean): Promise<Decision> {
  const key = keyOf(record);
  const reasons = locked?.key === key ? [] : explainChange(locked?.inputs, record, stage.needs);
  if (force) return { outcome: 'needs-run', key, record, reasons: ['--force', ...reasons] };
  const entry = project.store.inspect(key);
  if (!entry) {
    return { outcome: 'needs-run', key, record, reasons: reasons.length > 0 ? reasons : ['output missing from cache/'] };
  }
  const damage = 'damaged' in entry ? entry.damaged : await project.store.check(entry, project.hashes);
  if (damage) {
    return { outcome: 'needs-run', key, record, reasons: [`cache entry damaged (${damage})`, ...reasons], corrupt: damage };
  }
  return { outcome: locked?.key === key ? 'fresh' : 'restored', key, record, entry: entry as Entry };
}
