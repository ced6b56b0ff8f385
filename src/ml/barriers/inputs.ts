// Reads the aggregate stage's inputs: fan-out folders of sweep outputs (sweep.json) and train outputs (train.json).
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readTrainRecord, TRAIN_RECORD_FILE, type TrainRecord } from '../../artifacts/train-record.js';
import { BarrierError } from './errors.js';

export interface CurvePoint {
  x: number;
  test_loss: number;
  test_error: number;
}

export interface SweepCurve {
  setting: string;
  iteration: number;
  final_iteration: number;
  rows: CurvePoint[];
  source: string;
}

/** A train stage's train.json and where it was read from (for messages). */
export type TrainSummary = TrainRecord & { source: string };

/** Every sweep.json of a fan-out folder (one entry per member), or of a single sweep output. */
export async function readSweeps(dir: string): Promise<SweepCurve[]> {
  return Promise.all((await memberDirs(dir, 'sweep.json')).map(async (member) => parseSweep(await readJson(path.join(member, 'sweep.json')), path.join(member, 'sweep.json'))));
}

/** Every train.json of a fan-out folder (or a single train output), by setting. */
export async function readTrains(dir: string): Promise<Map<string, TrainSummary>> {
  const trains = new Map<string, TrainSummary>();
  for (const member of await memberDirs(dir, TRAIN_RECORD_FILE)) {
    const file = path.join(member, TRAIN_RECORD_FILE);
    const train = { ...(await readTrainRecord(member)), source: file };
    const earlier = trains.get(train.setting);
    if (earlier) throw new BarrierError('input-mismatch', `${file}: setting ${train.setting} also comes from ${earlier.source}`);
    trains.set(train.setting, train);
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

function parseSweep(value: unknown, file: string): SweepCurve {
  const v = value as Partial<SweepCurve> | null;
  if (!v || typeof v.setting !== 'string' || !isIteration(v.iteration) || !isIteration(v.final_iteration) || !Array.isArray(v.rows)) {
    throw new BarrierError('input-corrupt', `${file}: expected { setting, iteration, final_iteration, rows: [{ x, test_loss, test_error }] }`);
  }
  v.rows.forEach((row, i) => {
    if (!row || typeof row.x !== 'number' || typeof row.test_loss !== 'number' || typeof row.test_error !== 'number') {
      throw new BarrierError('input-corrupt', `${file}: rows[${i}] needs numeric x, test_loss and test_error`);
    }
  });
  const rows = v.rows.map(({ x, test_loss, test_error }) => ({ x, test_loss, test_error }));
  return { setting: v.setting, iteration: v.iteration, final_iteration: v.final_iteration, rows, source: file };
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new BarrierError('input-missing', `${file}: cannot read`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new BarrierError('input-corrupt', `${file}: not valid JSON`, { cause });
  }
}

function isIteration(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}
