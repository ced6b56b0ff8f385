// Plane evaluation: the three-pass stem (and LeNet's ReLU-linear rows) equal the plain per-point evaluation to float32 rounding.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/ml/backend/select.js';
import { initialWeights, type HostWeights } from '../../../src/ml/models/init.js';
import { buildModel } from '../../../src/ml/models/registry.js';
import { forward } from '../../../src/ml/models/spec.js';
import { randomPlane } from '../../../src/ml/planes/filter-normalize.js';
import { evaluatePlane, type PlanePoint } from '../../../src/ml/planes/evaluate-plane.js';
import { gridAroundAnchors, gridAroundOrigin } from '../../../src/ml/planes/plane-grid.js';
import { planeWeights, threePointPlane } from '../../../src/ml/planes/plane.js';
import { disposeWeights, upload } from '../../../src/ml/training/device-weights.js';
import { scoreBatch } from '../../../src/ml/training/loss.js';
import { syntheticDataset } from '../helpers/synthetic.js';

beforeAll(async () => {
  await selectBackend({ forced: 'wasm' });
});

const data = syntheticDataset({ train: 32, test: 150, shape: [8, 8, 1], classes: 4 });

/** Three different networks of one architecture, with distinct BatchNorm statistics. */
function anchors(name: string): [HostWeights, HostWeights, HostWeights] {
  const model = buildModel(name, data.test.shape, 4);
  return [1, 2, 3].map((seed) => {
    const w = initialWeights(model, seed);
    for (const [key, values] of w) {
      if (key.endsWith('running_mean')) values.forEach((_, i) => (values[i] = 0.3 * Math.sin(i + seed)));
      if (key.endsWith('running_var')) values.forEach((_, i) => (values[i] = 1.5 + Math.cos(i * seed)));
    }
    return w;
  }) as [HostWeights, HostWeights, HostWeights];
}

function expectClose(fast: PlanePoint[], slow: PlanePoint[]): void {
  expect(fast.map((p) => [p.a, p.b])).toEqual(slow.map((p) => [p.a, p.b]));
  for (let k = 0; k < fast.length; k++) {
    expect(Math.abs(fast[k].test_loss - slow[k].test_loss) / slow[k].test_loss, `point ${k}`).toBeLessThan(5e-6);
    expect(Math.abs(fast[k].test_error - slow[k].test_error), `point ${k}`).toBeLessThanOrEqual(1 / data.test.count);
  }
}

describe('evaluatePlane', () => {
  it.each([
    ['lenet_300_100', true],
    ['lenet_300_100', false],
    ['mnist_lenet_20_10_8', true],
    ['conv_bn', true],
  ])('%s (ReLU-linear rows %s): the three-pass stem equals the naive grid loop', async (name, reluLinear) => {
    const model = buildModel(name, data.test.shape, 4);
    const [w0, wt, wT] = anchors(name);
    const plane = threePointPlane(model, w0, wt, wT, { start: 0, middle: 10, end: 100 });
    const grid = gridAroundAnchors(plane.anchors, 5, 0.25);
    const common = { model, plane, grid, extra: plane.anchors, test: data.test, batchSize: 64, reluLinear };
    const fast = await evaluatePlane({ ...common, method: 'linear-stem' });
    const slow = await evaluatePlane({ ...common, method: 'naive' });
    expect(fast.grid).toHaveLength(25);
    expectClose(fast.grid, slow.grid);
    expectClose(fast.extra, slow.extra);
    // The surface is not flat: the comparison compared something.
    const losses = fast.grid.map((p) => p.test_loss);
    expect(Math.max(...losses) - Math.min(...losses)).toBeGreaterThan(0.05);
  });

  it('conv_bn: a random filter-normalised plane around θ_T, fast equals naive, and its centre is θ_T', async () => {
    const model = buildModel('conv_bn', data.test.shape, 4);
    const [, , wT] = anchors('conv_bn');
    const plane = randomPlane(model, wT, 7, 100);
    const grid = gridAroundOrigin(3, 1); // 0 is a grid value: the centre point is θ_T itself
    const common = { model, plane, grid, test: data.test, batchSize: 64 };
    const fast = await evaluatePlane({ ...common, method: 'linear-stem' });
    const slow = await evaluatePlane({ ...common, method: 'naive' });
    expectClose(fast.grid, slow.grid);
    const w = upload(model, wT);
    const batch = await data.test.batch(Array.from({ length: data.test.count }, (_, i) => i));
    const logits = tf.tidy(() => forward(model, w, tf.tensor4d(batch.x, [batch.n, 8, 8, 1]), { training: false }));
    const own = await scoreBatch(logits, batch.y, 4);
    tf.dispose(logits);
    disposeWeights(w);
    expect(fast.grid[4].test_loss).toBeCloseTo(own.lossSum / data.test.count, 5);
  });

  it('leaves no tensors behind', async () => {
    const model = buildModel('lenet_300_100', data.test.shape, 4);
    const [w0, wt, wT] = anchors('lenet_300_100');
    const plane = threePointPlane(model, w0, wt, wT, { start: 0, middle: 10, end: 100 });
    const before = tf.memory().numTensors;
    await evaluatePlane({ model, plane, grid: gridAroundAnchors(plane.anchors, 3, 0.1), extra: plane.anchors, test: data.test, batchSize: 64 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the host reference θ(a, b) at an anchor is that anchor', () => {
    const model = buildModel('conv_bn', data.test.shape, 4);
    const ws = anchors('conv_bn');
    const plane = threePointPlane(model, ...ws, { start: 0, middle: 10, end: 100 });
    plane.anchors.forEach((anchor, i) => {
      const at = planeWeights(model, plane, anchor.a, anchor.b);
      for (const [name, values] of ws[i]) {
        const got = at.get(name)!;
        const scale = Math.max(...values.map(Math.abs));
        for (let j = 0; j < values.length; j++) expect(Math.abs(got[j] - values[j]), `${anchor.name} ${name}[${j}]`).toBeLessThan(1e-5 * scale + 1e-6);
      }
    });
  });
});
