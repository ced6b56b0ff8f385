// A hand-made instability analysis for the report tests: two settings, one becoming stable at t = 100, one never.
import type { InstabilityDocument, InstabilityMeasure } from '../../src/artifacts/instability.js';
import { INSTABILITY_DEFINITIONS } from '../../src/ml/instability/instability.js';

const measure = (instability: number, ends: number): InstabilityMeasure => ({ instability, max: ends + instability, start: ends, end: ends });

export function instabilityFixture(): InstabilityDocument {
  const rows = (values: Array<[number, number]>) =>
    values.map(([iteration, error]) => ({ iteration, seeds: [2, 3] as [number, number], points: 30, error: measure(error, 0.02), loss: measure(error * 3, 0.07) }));
  return {
    definitions: { ...INSTABILITY_DEFINITIONS },
    thresholds: { error: 0.02, loss: 0.05 },
    settings: {
      mnist_lenet_300_100: {
        final_iteration: 18760,
        stability_point: { error: 100, loss: 1000 },
        rows: rows([
          [0, 0.3],
          [10, 0.05],
          [100, 0.01],
          [1000, 0.002],
        ]),
      },
      cifar_resnet_20: {
        final_iteration: 62400,
        stability_point: { error: null, loss: null },
        rows: rows([
          [0, 0.5],
          [2000, 0.2],
        ]),
      },
    },
  };
}
