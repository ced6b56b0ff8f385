// The render stage's tunable parameters (from PIPELINE_PARAMS), with defaults; unknown keys are left to other stages.
import { scheme } from 'vega';
import { ReportError } from './errors.js';
import { assertMatchesSchema } from './json-schema.js';

export interface RenderParams {
  /** One colour per setting, in order of first appearance (Figures 1 and 3). */
  colors: string[];
  /** Vega colour scheme for the checkpoint iteration t in Figure 2 (sequential). */
  sequential_scheme: string;
  /** A loss barrier (nats) above this counts as "a barrier" in Figure 3's sentence. */
  loss_threshold: number;
  /** An error barrier (fraction, 0.01 = 1 percentage point) above this counts in Figure 3's sentence. */
  error_threshold: number;
  /** PNG pixels per SVG pixel. */
  png_scale: number;
  /** "The loss remains high until close to the optimum": it first falls below halfway at an x at least this large. */
  plateau_x: number;
  /** "Training quickly becomes separated by barriers": a barrier from a checkpoint within this fraction of training. */
  early_fraction: number;
}

export const DEFAULT_PARAMS: RenderParams = {
  // Tableau 10: distinguishable, and the order Vega uses by default.
  colors: ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'],
  sequential_scheme: 'viridis',
  loss_threshold: 0.1,
  error_threshold: 0.01,
  png_scale: 2,
  plateau_x: 0.5,
  early_fraction: 0.1,
};

const paramsSchema = {
  type: 'object',
  properties: {
    colors: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^(#[0-9a-fA-F]{3,8}|[a-zA-Z]+)$' } },
    sequential_scheme: { type: 'string', pattern: '^[a-zA-Z0-9-]+$' },
    loss_threshold: { type: 'number', minimum: 0 },
    error_threshold: { type: 'number', minimum: 0, maximum: 1 },
    png_scale: { type: 'number', exclusiveMinimum: 0, maximum: 8 },
    plateau_x: { type: 'number', minimum: 0, maximum: 1 },
    early_fraction: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
  },
};

/** Merges `raw` (parsed PIPELINE_PARAMS) over the defaults; `where` names the source in errors. */
export function resolveParams(raw: unknown, where: string): RenderParams {
  const value = raw ?? {};
  assertMatchesSchema<Partial<RenderParams>>(value, paramsSchema, where, 'bad-params');
  const chosen = Object.fromEntries(Object.keys(DEFAULT_PARAMS).flatMap((key) => (key in value ? [[key, value[key as keyof RenderParams]]] : [])));
  const params: RenderParams = { ...DEFAULT_PARAMS, ...chosen };
  // vega knows continuous schemes as interpolator functions; a categorical or unknown name would fail at draw time.
  if (typeof scheme(params.sequential_scheme) !== 'function') {
    throw new ReportError('bad-params', `${where}: sequential_scheme "${params.sequential_scheme}" is not a sequential vega colour scheme (e.g. viridis, blues, magma)`);
  }
  return params;
}
