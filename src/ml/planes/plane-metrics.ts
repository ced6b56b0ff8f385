// The few numbers of a plane that `pipeline verify` compares: the grid's lowest and highest loss, and each anchor's.
import type { PlaneRecord } from '../../artifacts/plane-output.js';
import type { Metrics } from '../../artifacts/metrics.js';

export function planeMetrics(record: PlaneRecord): Metrics {
  const losses = record.rows.map((row) => row.test_loss);
  const errors = record.rows.map((row) => row.test_error);
  const metrics: Metrics = {
    grid_min_test_loss: Math.min(...losses),
    grid_max_test_loss: Math.max(...losses),
    grid_min_test_error: Math.min(...errors),
    grid_mean_test_loss: losses.reduce((sum, value) => sum + value, 0) / losses.length,
  };
  for (const anchor of record.anchors) metrics[anchor.name] = { test_loss: anchor.test_loss, test_error: anchor.test_error };
  return metrics;
}
