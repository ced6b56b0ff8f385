// Which tolerance a metric is checked with: command-line flags, then the stage's per-metric patterns, then the stage's, then numpy's defaults.
import picomatch from 'picomatch';
import type { StageDefinition } from '../pipeline/stage.js';

export interface Tolerance {
  rtol: number;
  atol: number;
}

export const defaultTolerance: Tolerance = { rtol: 1e-5, atol: 1e-8 };

/**
 * `verify: { rtol, atol, metrics: { 'test_error_*': { atol: 2e-4 } } }`: the first pattern (in file order) that
 * matches the metric's name overrides what it names. Errors of a 10,000-example test set move in steps of 1e-4,
 * so they need an absolute allowance that losses, which move continuously, do not.
 */
export function toleranceFor(stage: StageDefinition, metric: string, flags: Partial<Tolerance>): Tolerance {
  const declared = stage.verify ?? {};
  const pattern = Object.entries(declared.metrics ?? {}).find(([glob]) => picomatch.isMatch(metric, glob));
  const perMetric = pattern?.[1] ?? {};
  return {
    rtol: flags.rtol ?? perMetric.rtol ?? declared.rtol ?? defaultTolerance.rtol,
    atol: flags.atol ?? perMetric.atol ?? declared.atol ?? defaultTolerance.atol,
  };
}
