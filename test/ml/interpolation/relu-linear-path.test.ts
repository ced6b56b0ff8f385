// The ReLU-linear path gives relu(A + x·Δ)·W(x) + b(x) at every point, as a direct float64 evaluation does.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/ml/backend/select.js';
import { linspace01 } from '../../../src/ml/interpolation/linspace.js';
import { reluLinearAtPoints, type ReluLinearPath } from '../../../src/ml/interpolation/relu-linear-path.js';
import { mulberry32, normalSampler } from '../../../src/ml/random.js';

beforeAll(async () => {
  await selectBackend({ forced: 'wasm' });
});

const [n, h, o] = [37, 23, 7];

function randomPath(seed: number): { path: ReluLinearPath; host: Record<string, Float32Array> } {
  const normal = normalSampler(mulberry32(seed));
  const host = {
    a: Float32Array.from({ length: n * h }, normal),
    b: Float32Array.from({ length: n * h }, normal),
    wa: Float32Array.from({ length: h * o }, normal),
    wb: Float32Array.from({ length: h * o }, normal),
    ba: Float32Array.from({ length: o }, normal),
    bb: Float32Array.from({ length: o }, normal),
  };
  // Edge cases: a pre-activation exactly 0 at one end, a unit equal at both ends, one switching exactly at x = 0.5.
  host.a[0] = 0;
  host.b[1] = 0;
  host.b[2] = host.a[2];
  host.a[3] = 1;
  host.b[3] = -1;
  const path = {
    start: tf.tensor2d(host.a, [n, h]),
    end: tf.tensor2d(host.b, [n, h]),
    weightStart: tf.tensor2d(host.wa, [h, o]),
    weightEnd: tf.tensor2d(host.wb, [h, o]),
    biasStart: tf.tensor1d(host.ba),
    biasEnd: tf.tensor1d(host.bb),
  };
  return { path, host };
}

/** The straightforward evaluation at one x, in float64 after the stem's float32 rounding of A + x·Δ. */
function direct(host: Record<string, Float32Array>, x: number): Float64Array {
  const z = new Float64Array(n * o);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < o; c++) {
      let sum = (1 - x) * host.ba[c] + x * host.bb[c];
      for (let j = 0; j < h; j++) {
        const d = Math.fround(host.b[i * h + j] - host.a[i * h + j]);
        const v = Math.max(0, Math.fround(host.a[i * h + j] + Math.fround(Math.fround(x) * d)));
        sum += v * ((1 - x) * host.wa[j * o + c] + x * host.wb[j * o + c]);
      }
      z[i * o + c] = sum;
    }
  }
  return z;
}

describe('reluLinearAtPoints', () => {
  it.each([
    ['the interior of linspace(0, 1, 13)', linspace01(13).slice(1, -1)],
    ['uneven points, both ends included', [0, 0.001, 0.3, 0.5, 0.97, 1]],
  ])('equals the direct evaluation at %s', (_, xs) => {
    const { path, host } = randomPath(7);
    const values = reluLinearAtPoints(path, xs);
    expect(values).toHaveLength(xs.length * n * o);
    let switching = 0;
    for (let i = 0; i < n * h; i++) if (host.a[i] > 0 !== host.b[i] > 0) switching++;
    expect(switching).toBeGreaterThan(n * h * 0.3); // the comparison exercises units that switch on the way
    for (let k = 0; k < xs.length; k++) {
      const expected = direct(host, xs[k]);
      const scale = Math.max(...expected.map(Math.abs));
      for (let e = 0; e < n * o; e++) expect(Math.abs(values[k * n * o + e] - expected[e])).toBeLessThan(2e-6 * scale);
    }
    tf.dispose(Object.values(path));
  });

  it('refuses points that are not ascending', () => {
    const { path } = randomPath(8);
    expect(() => reluLinearAtPoints(path, [0.5, 0.25])).toThrow(/ascending/);
    tf.dispose(Object.values(path));
  });
});
