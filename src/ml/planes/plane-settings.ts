// A plane stage's settings from its params and flags (a flag wins), checked once: every error names where it came from.
import { PlaneError } from './plane-error.js';

export type PlaneMethod = 'linear-stem' | 'naive';
export const planeMethods: readonly PlaneMethod[] = ['linear-stem', 'naive'];

export interface PlaneSettings {
  grid: number; // points a side
  margin: number; // path planes: the box around θ_0, θ_t, θ_T widened by margin × its longer side on every side
  span: number; // random planes: a, b ∈ [−span, span]
  seed: number; // random planes: the directions' seed
  method: PlaneMethod;
  batchSize?: number;
}

export interface PlaneFlags {
  grid?: string;
  margin?: string;
  span?: string;
  seed?: string;
  method?: string;
  batchSize?: string;
}

const defaults = { grid: 31, margin: 0.2, span: 1, seed: 1, method: 'linear-stem' };
const knownParams = ['grid', 'margin', 'span', 'seed', 'method', 'batch_size'];

function bad(message: string): PlaneError {
  return new PlaneError('bad-plane-options', message);
}

function numberFrom(value: unknown, what: string, check: (n: number) => boolean, expected: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || !check(n)) throw bad(`${what}: expected ${expected}, got ${JSON.stringify(value)}`);
  return n;
}

export function parsePlaneSettings(params: Record<string, unknown>, flags: PlaneFlags = {}): PlaneSettings {
  const unknown = Object.keys(params).filter((key) => !knownParams.includes(key));
  if (unknown.length > 0) throw bad(`params.${unknown[0]}: unknown plane setting (known: ${knownParams.join(', ')})`);
  const pick = (flag: keyof PlaneFlags, param: string): [unknown, string] =>
    flags[flag] !== undefined ? [flags[flag], `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`] : [params[param] ?? (defaults as Record<string, unknown>)[param], `params.${param}`];
  const integerAtLeast = (min: number) => (n: number) => Number.isInteger(n) && n >= min;
  const grid = numberFrom(...pick('grid', 'grid'), integerAtLeast(2), 'an integer ≥ 2');
  const margin = numberFrom(...pick('margin', 'margin'), (n) => n >= 0, 'a number ≥ 0');
  const span = numberFrom(...pick('span', 'span'), (n) => n > 0, 'a number > 0');
  const seed = numberFrom(...pick('seed', 'seed'), integerAtLeast(0), 'a non-negative integer');
  const [method, methodSource] = pick('method', 'method');
  if (!planeMethods.includes(method as PlaneMethod)) throw bad(`${methodSource}: ${JSON.stringify(method)}, expected one of ${planeMethods.join(', ')}`);
  const [batch, batchSource] = pick('batchSize', 'batch_size');
  return {
    grid,
    margin,
    span,
    seed,
    method: method as PlaneMethod,
    ...(batch === undefined ? {} : { batchSize: numberFrom(batch, batchSource, integerAtLeast(1), 'a positive integer') }),
  };
}
