// The few numbers of a sweep curve that `pipeline verify` compares: its ends, its middle, its peak and its mean.

import type { SweepPoint } from '../../artifacts/sweep-output.js';

export type CurveSummary = Record<string, number>;

export function summarizeCurve(rows: readonly SweepPoint[]): CurveSummary {
  if (rows.length === 0) throw new Error('a sweep curve needs at least one point');
  const middle = rows.reduce((best, row) => (Math.abs(row.x - 0.5) < Math.abs(best.x - 0.5) ? row : best));
  const summary: CurveSummary = {};
  for (const quantity of ['test_loss', 'test_error'] as const) {
    const values = rows.map((row) => row[quantity]);
    summary[`${quantity}_start`] = values[0];
    summary[`${quantity}_middle`] = middle[quantity];
    summary[`${quantity}_end`] = values[values.length - 1];
    summary[`${quantity}_max`] = Math.max(...values);
    summary[`${quantity}_mean`] = values.reduce((sum, value) => sum + value, 0) / values.length;
  }
  return summary;
}
