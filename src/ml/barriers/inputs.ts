// Reads the aggregate stage's inputs: fan-out folders of sweep outputs (sweep.json) and train outputs (train.json).
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { readSweepRecord, SWEEP_JSON, type SweepRecord } from '../../artifacts/sweep-output.js';
import { readTrainRecord, TRAIN_RECORD_FILE, type TrainRecord } from '../../artifacts/train-record.js';
import { BarrierError } from './errors.js';

/** A sweep stage's sweep.json and where it was read from (for messages). */
export type SweepCurve = SweepRecord & { source: string };

/** A train stage's train.json and where it was read from (for messages). */
export type TrainSummary = TrainRecord & { source: string };

/** Every sweep.json of a fan-out folder (one entry per member), or of a single sweep output. */
export async function readSweeps(dir: string): Promise<SweepCurve[]> {
  return Promise.all((await memberDirs(dir, SWEEP_JSON)).map(async (member) => ({ ...(await readSweepRecord(member)), source: path.join(member, SWEEP_JSON) })));
}

/** `measure` of a sweep's test loss and of its test error, each curve named in messages as `where` plus its column. */
export function perQuantity<T>(sweep: SweepCurve, where: string, measure: (xs: number[], values: number[], where: string) => T): { loss: T; error: T } {
  const xs = sweep.rows.map((r) => r.x);
  return {
    loss: measure(
      xs,
      sweep.rows.map((r) => r.test_loss),
      `${where} test_loss`,
    ),
    error: measure(
      xs,
      sweep.rows.map((r) => r.test_error),
      `${where} test_error`,
    ),
  };
}

/** How a run is found: its setting and seed (one train output each). */
export function runName(setting: string, seed: number): string {
  return `${setting} seed ${seed}`;
}

/** Every train.json of a fan-out folder (or a single train output), by `runName(setting, seed)`. */
export async function readTrains(dir: string): Promise<Map<string, TrainSummary>> {
  const trains = new Map<string, TrainSummary>();
  for (const member of await memberDirs(dir, TRAIN_RECORD_FILE)) {
    const file = path.join(member, TRAIN_RECORD_FILE);
    const train = { ...(await readTrainRecord(member)), source: file };
    const name = runName(train.setting, train.seed);
    const earlier = trains.get(name);
    if (earlier) throw new BarrierError('input-mismatch', `${file}: ${name} also comes from ${earlier.source}`);
    trains.set(name, train);
  }
  return trains;
}

async function memberDirs(dir: string, marker: string): Promise<string[]> {
  if (await exists(path.join(dir, marker))) return [dir];
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (cause) {
    throw new BarrierError('input-missing', `${dir}: cannot read the input folder`, { cause });
  }
  const members = names.filter((name) => !name.startsWith('.')).map((name) => path.join(dir, name));
  if (members.length === 0) throw new BarrierError('input-missing', `${dir}: no members (expected one folder per fan-out member holding ${marker})`);
  return members;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
