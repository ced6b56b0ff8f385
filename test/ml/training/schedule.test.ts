// Learning-rate schedule and recipe validation.
import { describe, expect, it } from 'vitest';
import { logSpacedCheckpoints, parseRecipe } from '../../../src/ml/training/recipe.js';
import { learningRate } from '../../../src/ml/training/schedule.js';

describe('learningRate', () => {
  const recipe = parseRecipe({ model: 'resnet_50', lr: 0.4, batch_size: 1024, epochs: 90, milestones: [30, 60, 80], gamma: 0.1, warmup_epochs: 5, checkpoints: [0] });
  it('warms up linearly from 0, then decays by gamma at each milestone epoch', () => {
    expect(learningRate(recipe, 0, 100)).toBe(0);
    expect(learningRate(recipe, 250, 100)).toBeCloseTo(0.2, 12);
    expect(learningRate(recipe, 500, 100)).toBeCloseTo(0.4, 12);
    expect(learningRate(recipe, 2999, 100)).toBeCloseTo(0.4, 12);
    expect(learningRate(recipe, 3000, 100)).toBeCloseTo(0.04, 12);
    expect(learningRate(recipe, 6000, 100)).toBeCloseTo(0.004, 12);
    expect(learningRate(recipe, 8999, 100)).toBeCloseTo(0.0004, 12);
  });
});

describe('parseRecipe', () => {
  it('names the bad field', () => {
    expect(() => parseRecipe({ model: 'lenet_300_100', lr: 'fast', batch_size: 128, epochs: 1, checkpoints: [0] })).toThrow(/recipe\.lr: expected a number/);
    expect(() => parseRecipe({ model: 'lenet_300_100', lr: 0.1, batch_size: 128, epochs: 1, checkpoints: [3] })).toThrow(/recipe\.checkpoints: must include 0/);
    expect(() => parseRecipe({ model: 'lenet_300_100', lr: 0.1, weight_decy: 1e-4, batch_size: 128, epochs: 1, checkpoints: [0] })).toThrow(/recipe\.weight_decy: unknown field/);
  });
});

describe('logSpacedCheckpoints', () => {
  it('spans 0 … total on a log scale', () => {
    const points = logSpacedCheckpoints(18_760, 12);
    expect(points[0]).toBe(0);
    expect(points[1]).toBe(1);
    expect(points.at(-1)).toBe(18_760);
    expect(points.length).toBe(12);
    // Evenly spaced in log: point i (i ≥ 1) is total^((i−1)/10) up to rounding to an integer iteration.
    for (let i = 1; i < points.length; i++) expect(Math.abs(Math.log(points[i]) - ((i - 1) / 10) * Math.log(18_760))).toBeLessThan(Math.log(1.5));
  });
});
