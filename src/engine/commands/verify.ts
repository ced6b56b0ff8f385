// `pipeline verify`: reruns stages away from the cache and checks their results against pipeline.lock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CacheStore, removeTree } from '../cache/store.js';
import { ExitCode, PipelineError } from '../errors.js';
import { FileHashes } from '../fingerprint/file-hashes.js';
import { discoverGpus } from '../execution/gpus.js';
import { Scheduler } from '../execution/scheduler.js';
import { stopOnSignals } from '../execution/stop-on-signals.js';
import { selectStages } from '../execution/selection.js';
import { readLock, type LockedStage, type LockFile } from '../lock/lockfile.js';
import type { Renderer } from '../logging/events.js';
import { openProjectFile, type Project } from '../project.js';
import { parseOverride } from '../pipeline/overrides.js';
import type { StageDefinition } from '../pipeline/stage.js';
import { toleranceFor, type Tolerance } from './verify-tolerance.js';

export interface VerifyOptions {
  file: string;
  stages: string[];
  rtol?: number;
  atol?: number;
  jobs?: number;
  gpus?: string;
  /** --set PATH=VALUE, as for run. */
  set?: string[];
  /**
   * Rerun the named stages on this backend (PIPELINE_BACKEND in their environment) while keys stay those of the
   * lock: upstream results are reused and the comparison is across backends, within the same tolerances.
   */
  backend?: string;
}

export interface Mismatch {
  stage: string;
  what: string;
  locked: string;
  now: string;
  difference: string;
}

/** numpy.isclose: |a − b| ≤ atol + rtol·|b|, with b the locked value. */
export function withinTolerance(now: number, locked: number, rtol: number, atol: number): boolean {
  return Math.abs(now - locked) <= atol + rtol * Math.abs(locked);
}

function compare(stage: StageDefinition, locked: LockedStage, now: LockedStage, flags: Partial<Tolerance>): Mismatch[] {
  const found: Mismatch[] = [];
  if (now.key !== locked.key) {
    found.push({
      stage: stage.name,
      what: 'inputs',
      locked: locked.key.slice(0, 12),
      now: now.key.slice(0, 12),
      difference: 'its inputs differ from the lock: run `pipeline run` (and commit the lock) first',
    });
    return found;
  }
  if (stage.deterministic && now.output.hash !== locked.output.hash) {
    found.push({ stage: stage.name, what: 'output hash', locked: locked.output.hash.slice(0, 12), now: now.output.hash.slice(0, 12), difference: 'bytes differ (stage declared deterministic)' });
  }
  for (const [metric, value] of Object.entries(locked.metrics ?? {})) {
    const fresh = now.metrics?.[metric];
    if (fresh === undefined) {
      found.push({ stage: stage.name, what: metric, locked: String(value), now: '(missing)', difference: '—' });
      continue;
    }
    const tolerance = toleranceFor(stage, metric, flags);
    if (!withinTolerance(fresh, value, tolerance.rtol, tolerance.atol)) {
      const relative = value === 0 ? '' : ` (${(Math.abs(fresh - value) / Math.abs(value)).toExponential(2)} relative)`;
      found.push({
        stage: stage.name,
        what: metric,
        locked: String(value),
        now: String(fresh),
        difference: `${(fresh - value).toExponential(3)}${relative}; allowed ${tolerance.atol} + ${tolerance.rtol}·|locked|`,
      });
    }
  }
  return found;
}

/** " (on webgpu; locked on wasm)": which backends the comparison spans, from each side's recorded info. */
function backendsCompared(stages: readonly string[], locked: LockFile, rerun: LockFile): string {
  const backends = (lock: LockFile) =>
    [
      ...new Set(
        stages
          .map((name) => lock.stages[name]?.info?.backend)
          .filter((value) => value !== undefined)
          .map(String),
      ),
    ]
      .sort()
      .join(', ');
  const now = backends(rerun);
  const before = backends(locked);
  if (!now) return '';
  return now === before ? ` (on ${now})` : ` (on ${now}; locked on ${before || 'an unrecorded backend'})`;
}

export function formatTable(rows: Mismatch[]): string {
  const header: Mismatch = { stage: 'stage', what: 'metric', locked: 'locked', now: 'new', difference: 'difference' };
  const all = [header, ...rows];
  const width = (key: keyof Mismatch) => Math.max(...all.map((row) => row[key].length));
  const columns: (keyof Mismatch)[] = ['stage', 'what', 'locked', 'now', 'difference'];
  return all
    .map((row) =>
      columns
        .map((key) => row[key].padEnd(width(key)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * A private store for the rerun: the named stages always run there; an upstream stage is read from
 * cache/ (through a symlink, after its manifest check) when its locked entry is intact, else rerun too.
 */
function scratchProject(project: Project, dir: string, rerun: ReadonlySet<string>): Project {
  const store = new CacheStore(dir);
  fs.mkdirSync(store.entries, { recursive: true });
  for (const [name, locked] of Object.entries(readLock(project.lockFile, project.lockMemo).stages)) {
    if (rerun.has(name) || !fs.existsSync(project.store.entryDir(locked.key))) continue;
    fs.symlinkSync(project.store.entryDir(locked.key), store.entryDir(locked.key));
  }
  const lockFile = path.join(dir, 'pipeline.lock');
  if (fs.existsSync(project.lockFile)) fs.copyFileSync(project.lockFile, lockFile);
  return { pipeline: project.pipeline, store, hashes: FileHashes.load(path.join(dir, 'no-memo.json')), lockFile, runLockFile: path.join(dir, 'run.lock') };
}

export async function verifyCommand(options: VerifyOptions, renderer: Renderer, write: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  const project = openProjectFile(options.file, (options.set ?? []).map(parseOverride));
  const { pipeline } = project;
  const lock = readLock(project.lockFile, project.lockMemo);
  const selection = selectStages(pipeline, options.stages, false);
  const unlocked = [...selection.named].filter((name) => !lock.stages[name]);
  if (unlocked.length > 0) {
    throw new PipelineError(
      'bad-usage',
      `${path.basename(project.lockFile)} has no record of ${unlocked.slice(0, 3).join(', ')}${unlocked.length > 3 ? ` and ${unlocked.length - 3} more` : ''}: run \`pipeline run\` and commit the lock before verifying`,
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-verify-'));
  try {
    const scratch = scratchProject(project, dir, selection.named);
    const needsGpus = selection.stages.some((name) => pipeline.stages.get(name)!.resources.gpu > 0);
    const gpus = needsGpus ? discoverGpus(options.gpus) : { ids: [], source: 'no stage asks for a GPU' };
    const scheduler = new Scheduler(
      scratch,
      selection,
      {
        force: true,
        dryRun: false,
        keepGoing: true,
        jobs: options.jobs ?? Math.max(1, os.availableParallelism()),
        gpus: gpus.ids,
        gpuSource: gpus.source,
        pruneLock: false,
        publish: false,
        commandEnv: options.backend ? { PIPELINE_BACKEND: options.backend } : undefined,
      },
      renderer,
    );
    const stopListening = stopOnSignals(scheduler, renderer);
    let summary;
    try {
      summary = await scheduler.run();
    } finally {
      stopListening();
    }
    if (summary.interrupted) return ExitCode.interrupted;
    const rerun = readLock(scratch.lockFile);
    const mismatches: Mismatch[] = [];
    for (const name of selection.stages) {
      if (!summary.ran.includes(name)) continue;
      const stage = pipeline.stages.get(name)!;
      const locked = lock.stages[name];
      if (!locked) continue;
      mismatches.push(...compare(stage, locked, rerun.stages[name], { rtol: options.rtol, atol: options.atol }));
    }
    for (const name of summary.failed) mismatches.push({ stage: name, what: '(stage failed)', locked: '', now: '', difference: 'see its log above' });
    if (mismatches.length > 0) {
      write(`verify: ${mismatches.length} difference(s) from ${path.basename(project.lockFile)}${backendsCompared(summary.ran, lock, rerun)}\n${formatTable(mismatches)}\n`);
      return ExitCode.stageFailed;
    }
    write(`verify: ${summary.ran.length} stage(s) rerun${backendsCompared(summary.ran, lock, rerun)}, all within tolerance of ${path.basename(project.lockFile)}\n`);
    return ExitCode.ok;
  } finally {
    removeTree(dir);
  }
}
