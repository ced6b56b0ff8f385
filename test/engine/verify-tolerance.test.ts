// Which tolerance verify applies to a metric: flags, then the first matching per-metric pattern, then the stage's, then the defaults.
import { describe, expect, it } from 'vitest';
import { defaultTolerance, toleranceFor } from '../../src/engine/commands/verify-tolerance.js';
import type { StageDefinition } from '../../src/engine/pipeline/stage.js';

const stage = (verify: StageDefinition['verify']) => ({ name: 's', verify }) as StageDefinition;

describe('toleranceFor', () => {
  const sweep = stage({ rtol: 1e-4, atol: 1e-6, metrics: { 'test_error_*': { atol: 2e-4 }, '*_mean': { rtol: 0.5 }, test_loss_end: {} } });

  it('takes the first pattern that matches, keeping the stage values it does not name', () => {
    expect(toleranceFor(sweep, 'test_error_start', {})).toEqual({ rtol: 1e-4, atol: 2e-4 });
    expect(toleranceFor(sweep, 'test_error_mean', {})).toEqual({ rtol: 1e-4, atol: 2e-4 }); // test_error_* comes first
    expect(toleranceFor(sweep, 'test_loss_mean', {})).toEqual({ rtol: 0.5, atol: 1e-6 });
    expect(toleranceFor(sweep, 'test_loss_end', {})).toEqual({ rtol: 1e-4, atol: 1e-6 });
    expect(toleranceFor(sweep, 'test_loss_start', {})).toEqual({ rtol: 1e-4, atol: 1e-6 });
  });

  it('lets command-line flags win, and falls back to the defaults', () => {
    expect(toleranceFor(sweep, 'test_error_start', { atol: 0 })).toEqual({ rtol: 1e-4, atol: 0 });
    expect(toleranceFor(stage(undefined), 'anything', {})).toEqual(defaultTolerance);
  });
});
