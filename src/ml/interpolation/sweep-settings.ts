// A sweep's settings from the stage's params and flags (a flag wins), checked once, as parseRecipe checks a training recipe.
import { ComputeError } from '../compute-error.js';
import { bnModes, type BnMode } from './path-weights.js';

export interface SweepSettings {
  points: number;
  bnMode: BnMode;
  trainLoss: boolean;
  batchSize?: number;
  /** Threads sharing the work; unset means the stage decides (1 under the runner or on a GPU). */
  workers?: number;
}

/** Flags as commander hands them over: strings, or true for a switch. */
export interface SweepFlags {
  points?: string;
  bnMode?: string;
  trainLoss?: boolean;
  batchSize?: string;
  workers?: string;
}

const knownParams = ['points', 'bn_mode', 'train_loss', 'batch_size', 'workers'];

function bad(message: string): ComputeError {
  return new ComputeError('bad-sweep-options', message);
}

function positiveInteger(value: unknown, what: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw bad(`${what}: expected a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/** Each setting from its flag, else its param, else the default; every error names the flag or param it came from. */
export function parseSweepSettings(params: Record<string, unknown>, flags: SweepFlags = {}): SweepSettings {
  // A misspelt setting (point: 50) would otherwise be ignored silently and the sweep would use the default.
  const unknown = Object.keys(params).filter((key) => !knownParams.includes(key));
  if (unknown.length > 0) throw bad(`params.${unknown[0]}: unknown sweep setting (known: ${knownParams.join(', ')})`);
  const source = (flag: keyof SweepFlags, param: string) => (flags[flag] !== undefined ? `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : `params.${param}`);
  const points = positiveInteger(flags.points ?? params.points ?? 100, source('points', 'points'));
  const bnMode = flags.bnMode ?? params.bn_mode ?? 'interpolate';
  if (!bnModes.includes(bnMode as BnMode)) throw bad(`${source('bnMode', 'bn_mode')}: ${JSON.stringify(bnMode)}, expected one of ${bnModes.join(', ')}`);
  const trainLossValue = flags.trainLoss ?? params.train_loss ?? false;
  if (typeof trainLossValue !== 'boolean') throw bad(`params.train_loss: expected true or false, got ${JSON.stringify(trainLossValue)}`);
  const batchSize = flags.batchSize ?? params.batch_size;
  const workers = flags.workers ?? params.workers;
  return {
    points,
    bnMode: bnMode as BnMode,
    trainLoss: trainLossValue,
    ...(batchSize === undefined ? {} : { batchSize: positiveInteger(batchSize, source('batchSize', 'batch_size')) }),
    ...(workers === undefined ? {} : { workers: positiveInteger(workers, source('workers', 'workers')) }),
  };
}
