// Li et al. (2018) filter normalisation: each filter of a direction has the norm of θ_T's filter; vectors get none.
import { describe, expect, it } from 'vitest';
import { initialWeights } from '../../../src/ml/models/init.js';
import { buildModel } from '../../../src/ml/models/registry.js';
import { filterCount, filterNorms, filterNormalizedDirection, randomPlane } from '../../../src/ml/planes/filter-normalize.js';

describe('filter-normalised directions', () => {
  it.each(['conv_bn', 'lenet_300_100'])('%s: every filter of the direction has the norm of the same filter of θ_T', (name) => {
    const model = buildModel(name, [8, 8, 1], 4);
    const weights = initialWeights(model, 3);
    const direction = filterNormalizedDirection(model, weights, 1, 'u');
    let checked = 0;
    for (const spec of model.tensors) {
      const filters = filterCount(spec);
      const d = direction.get(spec.name)!;
      if (filters === 0) {
        // Biases, BatchNorm γ/β and running statistics: a zero direction (Li et al.'s ignore = 'biasbn').
        expect(
          d.every((value) => value === 0),
          spec.name,
        ).toBe(true);
        continue;
      }
      expect(filters).toBe(spec.shape.at(-1)); // one filter per output unit / channel
      const own = filterNorms(d, filters);
      const target = filterNorms(weights.get(spec.name)!, filters);
      own.forEach((norm, j) => expect(norm / target[j], `${spec.name} filter ${j}`).toBeCloseTo(1, 5));
      checked += filters;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('a conv filter is one output channel: [kh, kw, in, out] elements with the same last index', () => {
    const model = buildModel('conv_bn', [8, 8, 1], 4);
    const spec = model.tensors.find((t) => t.name === 'conv2.weight')!;
    expect(spec.layout).toBe('conv');
    const values = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    values[5] = 3; // element 5 → output channel 5 (16 channels)
    values[16 + 5] = 4;
    expect(filterNorms(values, 16)[5]).toBeCloseTo(5, 10);
    expect(filterNorms(values, 16)[4]).toBe(0);
  });

  it('is the same for the same seed and differs between seeds and between the two axes', () => {
    const model = buildModel('lenet_300_100', [8, 8, 1], 4);
    const weights = initialWeights(model, 3);
    const first = randomPlane(model, weights, 5, 100);
    const again = randomPlane(model, weights, 5, 100);
    const other = randomPlane(model, weights, 6, 100);
    expect(first.u.get('fc1.weight')).toEqual(again.u.get('fc1.weight'));
    expect(first.u.get('fc1.weight')).not.toEqual(other.u.get('fc1.weight'));
    expect(first.u.get('fc1.weight')).not.toEqual(first.v.get('fc1.weight'));
    expect(first.anchors).toEqual([{ name: 'theta_T', iteration: 100, a: 0, b: 0 }]);
    expect(first.origin).toBe(weights);
  });
});
