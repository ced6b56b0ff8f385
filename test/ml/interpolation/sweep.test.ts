// The sweep: the interpolated-stem shortcut equals the straightforward evaluation, the ends are the real networks, BN modes behave.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/ml/backend/select.js';
import { initialWeights, type HostWeights } from '../../../src/ml/models/init.js';
import { buildModel } from '../../../src/ml/models/registry.js';
import type { BnContext } from '../../../src/ml/models/spec.js';
import { forward } from '../../../src/ml/models/spec.js';
import { linspace01 } from '../../../src/ml/interpolation/linspace.js';
import { pathWeights } from '../../../src/ml/interpolation/path-weights.js';
import { rowsFromScores, sweep, sweepScores } from '../../../src/ml/interpolation/sweep.js';
import { scoreStackedPoints, stackSize } from '../../../src/ml/interpolation/stacked-points.js';
import { disposeWeights, upload } from '../../../src/ml/training/device-weights.js';
import { evaluate } from '../../../src/ml/training/evaluate.js';
import { syntheticDataset } from '../helpers/synthetic.js';

beforeAll(async () => {
  await selectBackend({ forced: 'wasm' });
});

const data = syntheticDataset({ train: 96, test: 150, shape: [8, 8, 1], classes: 4 });

/** Two different networks of one architecture: a fresh init and a perturbed copy of another, with distinct BN statistics. */
function endpoints(name: string): [HostWeights, HostWeights] {
  const model = buildModel(name, data.test.shape, 4);
  const start = initialWeights(model, 1);
  const end = initialWeights(model, 2);
  for (const [key, values] of end) {
    if (key.endsWith('running_mean')) values.forEach((_, i) => (values[i] = 0.3 * Math.sin(i)));
    if (key.endsWith('running_var')) values.forEach((_, i) => (values[i] = 1.5 + Math.cos(i)));
  }
  return [start, end];
}

describe('linspace01', () => {
  it('includes both ends exactly', () => {
    expect(linspace01(100)[0]).toBe(0);
    expect(linspace01(100)[99]).toBe(1);
    expect(linspace01(5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});

describe('pathWeights', () => {
  it('leaves one tensor per weight and nothing else behind', () => {
    const model = buildModel('conv_bn', data.test.shape, 4);
    const [a, b] = endpoints('conv_bn').map((host) => upload(model, host));
    const before = tf.memory().numTensors;
    const w = pathWeights(model, a, b, 0.3, 'interpolate');
    expect(tf.memory().numTensors - before).toBe(model.tensors.length);
    disposeWeights(w);
    disposeWeights(a);
    disposeWeights(b);
  });
});

describe('sweep', () => {
  it.each(['lenet_300_100', 'mnist_lenet_300', 'conv_bn'])('%s: the interpolated first layer equals the straightforward evaluation to float32 rounding', async (name) => {
    const model = buildModel(name, data.test.shape, 4);
    const [start, end] = endpoints(name);
    const common = { model, start, end, test: data.test, train: data.train, points: 11, bnMode: 'interpolate' as const, batchSize: 64, trainLoss: true };
    const fast = await sweep({ ...common, linearStem: true });
    const slow = await sweep({ ...common, linearStem: false });
    expect(fast.map((r) => r.x)).toEqual(slow.map((r) => r.x));
    for (let k = 0; k < fast.length; k++) {
      expect(Math.abs(fast[k].test_loss - slow[k].test_loss) / slow[k].test_loss).toBeLessThan(2e-6);
      expect(Math.abs(fast[k].train_loss! - slow[k].train_loss!) / slow[k].train_loss!).toBeLessThan(2e-6);
      expect(Math.abs(fast[k].test_error - slow[k].test_error)).toBeLessThanOrEqual(1 / data.test.count);
    }
    // The curve is not flat: the comparison above compared something.
    expect(Math.max(...fast.map((r) => r.test_loss)) - Math.min(...fast.map((r) => r.test_loss))).toBeGreaterThan(0.01);
  });

  it('lenet_300_100: stacks of points (one batched dispatch for many points, as on a GPU) give the straightforward rows', async () => {
    const model = buildModel('lenet_300_100', data.test.shape, 4);
    expect(model.pointStackedHead).toBeDefined();
    const [start, end] = endpoints('lenet_300_100');
    // 150 examples in batches of 64 (a short last batch); trainLoss scores the training split through the same path.
    const common = { model, start, end, test: data.test, train: data.train, points: 11, bnMode: 'interpolate' as const, batchSize: 64, trainLoss: true };
    const stacked = await sweep({ ...common, linearStem: true, stackPoints: true, reluLinear: false });
    const slow = await sweep({ ...common, linearStem: false });
    for (let k = 0; k < slow.length; k++) {
      expect(Math.abs(stacked[k].test_loss - slow[k].test_loss) / slow[k].test_loss).toBeLessThan(2e-6);
      expect(Math.abs(stacked[k].train_loss! - slow[k].train_loss!) / slow[k].train_loss!).toBeLessThan(2e-6);
      expect(Math.abs(stacked[k].test_error - slow[k].test_error)).toBeLessThanOrEqual(1 / data.test.count);
    }
    expect(Math.max(...stacked.map((r) => r.test_loss)) - Math.min(...stacked.map((r) => r.test_loss))).toBeGreaterThan(0.01);
  });

  it('stacked points: any stack size gives the same scores, in the order of the points', async () => {
    const model = buildModel('lenet_300_100', data.test.shape, 4);
    const [start, end] = endpoints('lenet_300_100').map((host) => upload(model, host));
    const batch = await data.test.batch(Array.from({ length: 50 }, (_, i) => i));
    const input = tf.tensor4d(batch.x, [batch.n, ...model.inputShape]);
    const ends: [tf.Tensor, tf.Tensor] = [model.stem(start, input), model.stem(end, input)];
    const xs = linspace01(11);
    const whole = await scoreStackedPoints(model, start, end, ends, xs, batch.y, 11);
    const inThrees = await scoreStackedPoints(model, start, end, ends, xs, batch.y, 3);
    expect(inThrees).toEqual(whole);
    expect(new Set(whole.map((score) => score.lossSum)).size).toBe(11);
    expect(stackSize(10_000, 300, 100)).toBe(11); // 32 M floats of stem output a stack
    expect(stackSize(10, 300, 100)).toBe(100);
    tf.dispose([input, ...ends, ...Object.values(start), ...Object.values(end)]);
  });

  it('starts at θ_t and ends at θ_T exactly (interpolate and endpoint modes)', async () => {
    const model = buildModel('conv_bn', data.test.shape, 4);
    const [start, end] = endpoints('conv_bn');
    for (const bnMode of ['interpolate', 'endpoint'] as const) {
      const rows = await sweep({ model, start, end, test: data.test, points: 3, bnMode });
      for (const [row, host] of [
        [rows[0], start],
        [rows[2], end],
      ] as const) {
        const w = upload(model, host);
        const direct = await evaluate(model, w, data.test, 50);
        disposeWeights(w);
        expect(row.test_loss).toBeCloseTo(direct.loss, 6);
        expect(row.test_error).toBeCloseTo(1 - direct.accuracy, 12);
      }
    }
  });

  it("endpoint mode uses the nearer end's BN statistics, interpolate mode mixes them", async () => {
    const model = buildModel('conv_bn', data.test.shape, 4);
    const [start, end] = endpoints('conv_bn');
    const a = await sweep({ model, start, end, test: data.test, points: 5, bnMode: 'endpoint' });
    const b = await sweep({ model, start, end, test: data.test, points: 5, bnMode: 'interpolate' });
    expect(a[1].test_loss).not.toBeCloseTo(b[1].test_loss, 4);
  });

  it('recompute mode evaluates with BN statistics averaged over the training set at each x', async () => {
    const model = buildModel('conv_bn', data.test.shape, 4);
    const [start, end] = endpoints('conv_bn');
    const rows = await sweep({ model, start, end, test: data.test, train: data.train, points: 2, bnMode: 'recompute', batchSize: data.train.count });
    // Independently: one batch holding the whole training set gives θ_t's population statistics directly.
    const w = upload(model, start);
    const all = await data.train.batch(Array.from({ length: data.train.count }, (_, i) => i));
    const observed: NonNullable<BnContext['observed']> = new Map();
    tf.tidy(() => forward(model, w, tf.tensor4d(all.x, [all.n, 8, 8, 1]), { training: true, observed }));
    for (const [layer, s] of observed) {
      w[`${layer}.running_mean`].dispose();
      w[`${layer}.running_var`].dispose();
      w[`${layer}.running_mean`] = s.mean;
      w[`${layer}.running_var`] = tf.mul(s.variance, s.count / (s.count - 1));
      s.variance.dispose();
    }
    const direct = await evaluate(model, w, data.test, 50);
    disposeWeights(w);
    expect(rows[0].test_loss).toBeCloseTo(direct.loss, 5);
    const interpolated = await sweep({ model, start, end, test: data.test, points: 2, bnMode: 'interpolate' });
    expect(rows[0].test_loss).not.toBeCloseTo(interpolated[0].test_loss, 3);
  });

  it('evaluates the sweep from the final weights to themselves once: a flat line at their loss', async () => {
    const model = buildModel('conv_bn', data.test.shape, 4);
    const [start] = endpoints('conv_bn');
    const rows = await sweep({ model, start, end: new Map([...start].map(([k, v]) => [k, v.slice()])), test: data.test, points: 4, bnMode: 'interpolate' });
    const w = upload(model, start);
    const direct = await evaluate(model, w, data.test, 50);
    disposeWeights(w);
    expect(rows.map((r) => r.x)).toEqual([0, 1 / 3, 2 / 3, 1]);
    for (const row of rows) {
      expect(row.test_loss).toBeCloseTo(direct.loss, 6);
      expect(row.test_error).toBeCloseTo(1 - direct.accuracy, 12);
    }
  });

  it.each(['lenet_300_100', 'conv_bn'])('%s: shares of batches or of points add up to the same bytes as the whole sweep', async (name) => {
    const model = buildModel(name, data.test.shape, 4);
    const [start, end] = endpoints(name);
    const common = { model, start, end, test: data.test, train: data.train, points: 7, bnMode: 'interpolate' as const, batchSize: 40, trainLoss: true };
    const whole = await sweep(common);
    const byBatches = await Promise.all([0, 1, 2].map((index) => sweepScores({ ...common, shard: { index, count: 3 } })));
    expect(byBatches.map((part) => part.test.batches.map((b) => b.batch))).toEqual([[0, 3], [1], [2]]);
    expect(rowsFromScores(byBatches, false)).toEqual(whole);
    const byPoints = await Promise.all(
      [
        [0, 2, 4, 6],
        [1, 3, 5],
      ].map((only) => sweepScores({ ...common, only })),
    );
    expect(rowsFromScores(byPoints, false)).toEqual(whole);
  });

  it('refuses to share the batches of a recompute sweep: its statistics need all of them at every point', async () => {
    const model = buildModel('conv_bn', data.test.shape, 4);
    const [start, end] = endpoints('conv_bn');
    await expect(sweep({ model, start, end, test: data.test, train: data.train, points: 3, bnMode: 'recompute', shard: { index: 0, count: 2 } })).rejects.toMatchObject({
      reason: 'bad-sweep-options',
    });
  });

  it('asks for the training split when it needs one', async () => {
    const model = buildModel('lenet_300_100', data.test.shape, 4);
    const [start, end] = endpoints('lenet_300_100');
    await expect(sweep({ model, start, end, test: data.test, points: 3, bnMode: 'recompute' })).rejects.toMatchObject({ reason: 'bad-sweep-options' });
  });
});
