import { describe, expect, it } from 'vitest';
import { summarizeCurve } from '../../../src/ml/interpolation/curve-summary.js';

describe('summarizeCurve', () => {
  it('takes the ends, the point nearest x = 0.5, the peak and the mean of each quantity', () => {
    const xs = [0, 0.25, 0.5, 0.75, 1];
    const loss = [2, 2.5, 1, 0.5, 0.25];
    const error = [0.9, 0.8, 0.3, 0.1, 0.05];
    const summary = summarizeCurve(xs.map((x, i) => ({ x, test_loss: loss[i], test_error: error[i] })));
    expect(summary).toEqual({
      test_loss_start: 2,
      test_loss_middle: 1,
      test_loss_end: 0.25,
      test_loss_max: 2.5,
      test_loss_mean: 6.25 / 5,
      test_error_start: 0.9,
      test_error_middle: 0.3,
      test_error_end: 0.05,
      test_error_max: 0.9,
      test_error_mean: 2.15 / 5,
    });
  });

  it('refuses an empty curve', () => {
    expect(() => summarizeCurve([])).toThrow('at least one point');
  });
});
