// A number across seeds: its mean, sample standard deviation and range, as every table and band of the report shows it.

/** Mean, sample standard deviation (n − 1; 0 for a single seed) and min–max of one quantity over a setting's seeds. */
export interface Spread {
  mean: number;
  sd: number;
  min: number;
  max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spreadOf: no values');
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const sd = values.length < 2 ? 0 : Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, sd, min: Math.min(...values), max: Math.max(...values) };
}

export const SPREAD_FIELDS = ['mean', 'sd', 'min', 'max'] as const;
