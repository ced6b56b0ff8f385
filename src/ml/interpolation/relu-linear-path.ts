// The layer after the stem at every x at once: relu(A + x·Δ)·W(x) is piecewise quadratic in x, so all points cost two
// matrix products plus a little host work per unit whose ReLU switches between the ends, instead of one product per point.
import * as tf from '@tensorflow/tfjs';
import { ComputeError } from '../compute-error.js';
import { reluLinearKernel, reserveBytes } from './relu-linear-kernel.js';

export interface ReluLinearPath {
  /** The stem's outputs at the two ends, [n, h]: A = f(θ_t), B = f(θ_T); the stem output at x is A + x·(B − A). */
  start: tf.Tensor2D;
  end: tf.Tensor2D;
  /** The linear layer's weights [h, o] and biases [o] at the two ends; at x they are (1−x)·W_t + x·W_T. */
  weightStart: tf.Tensor2D;
  weightEnd: tf.Tensor2D;
  biasStart: tf.Tensor1D;
  biasEnd: tf.Tensor1D;
}

/**
 * z(x) = relu(A + x·Δ)·W(x) + b(x) for every x in `xs` (ascending), as one Float32Array [xs.length, n, o]: a view of
 * the kernel's memory, which the next call overwrites.
 *
 * Per example, a hidden unit whose pre-activation is positive at both ends is positive on the whole segment (it is
 * linear in x), so its contribution (a + x·d)·(W_j + x·D_j) = a·W_j + x·(a·D_j + d·W_j) + x²·d·D_j is a quadratic
 * whose coefficients come from two matrix products over all examples. A unit negative at both ends contributes
 * nothing. A unit that changes sign is active on a prefix or a suffix of the points: its quadratic is added to (or
 * taken from) a running set of coefficients at the point where it switches. The values equal the straightforward
 * evaluation up to float32 rounding (the coefficients are summed in float64).
 */
export function reluLinearAtPoints(path: ReluLinearPath, xs: readonly number[]): Float32Array {
  for (let k = 1; k < xs.length; k++) {
    if (!(xs[k] > xs[k - 1])) throw new ComputeError('bad-sweep-options', `relu-linear path: points must be ascending, got ${xs[k - 1]} then ${xs[k]}`);
  }
  const [n, h] = path.start.shape;
  const o = path.weightStart.shape[1];
  // Rows 0..n of `products`: [A_S·W_t | A_S·D], rows n..2n: [Δ_S·W_t | Δ_S·D], with S the units active at both ends.
  const [products, weightDelta] = tf.tidy(() => {
    const both = tf.cast(tf.logicalAnd(tf.greater(path.start, 0), tf.greater(path.end, 0)), 'float32');
    const delta = tf.sub(path.end, path.start);
    const d = tf.sub(path.weightEnd, path.weightStart);
    const stacked = tf.concat([tf.mul(path.start, both), tf.mul(delta, both)], 0);
    return [tf.matMul(stacked, tf.concat([path.weightStart, d], 1)), d];
  });
  const p = products.dataSync() as Float32Array;
  const a = path.start.dataSync() as Float32Array;
  const b = path.end.dataSync() as Float32Array;
  const w = path.weightStart.dataSync() as Float32Array;
  const dw = weightDelta.dataSync() as Float32Array;
  const biasA = path.biasStart.dataSync() as Float32Array;
  const biasB = path.biasEnd.dataSync() as Float32Array;
  products.dispose();
  weightDelta.dispose();

  const points = xs.length;
  const at = Float64Array.from(xs);
  // Examples go in blocks so that, point by point, the block's rows of `out` are written side by side.
  const block = Math.min(n, 16);
  // The kernel's memory, in bytes: each example's running quadratic c0 + x·c1 + x²·c2 per output (three float64 arrays
  // of block·o), the weights W_t and D = W_T − W_t (float32, h·o each), then the values at every point.
  const kernel = reluLinearKernel();
  const c1At = block * o * 8;
  const c2At = 2 * c1At;
  const wAt = 3 * c1At;
  const dwAt = wAt + h * o * 4;
  const outAt = dwAt + h * o * 4;
  const heap = reserveBytes(kernel, outAt + points * n * o * 4);
  const coefficients = new Float64Array(heap, 0, 3 * block * o);
  new Float32Array(heap, wAt, h * o).set(w);
  new Float32Array(heap, dwAt, h * o).set(dw);
  const out = new Float32Array(heap, outAt, points * n * o);
  // Each example's switching units, as (point index where the contribution changes) · h + unit, sorted.
  const switches = Array.from({ length: block }, () => new Float64Array(h));
  const counts = new Int32Array(block);
  const nexts = new Int32Array(block);
  const addUnit = (e: number, j: number, a: number, d: number) => kernel.addUnit(e * o * 8, c1At + e * o * 8, c2At + e * o * 8, wAt + j * o * 4, dwAt + j * o * 4, o, a, d);

  for (let first = 0; first < n; first += block) {
    const size = Math.min(block, n - first);
    for (let e = 0; e < size; e++) {
      const i = first + e;
      const row = i * h;
      startQuadratics(coefficients, e * o, block * o, p, i, n, o, biasA, biasB);
      const own = switches[e];
      let count = 0;
      for (let j = 0; j < h; j++) {
        const av = a[row + j];
        const bv = b[row + j];
        if (av > 0 === bv > 0) continue;
        const d = Math.fround(bv - av);
        const k = firstSwitch(at, av, d);
        if (av > 0) {
          if (k === 0) continue; // already off at the first point
          addUnit(e, j, av, d);
          if (k < points) own[count++] = k * h + j;
        } else if (k < points) {
          if (k === 0) addUnit(e, j, av, d);
          else own[count++] = k * h + j;
        }
      }
      own.subarray(0, count).sort();
      counts[e] = count;
      nexts[e] = 0;
    }
    for (let k = 0; k < points; k++) {
      for (let e = 0; e < size; e++) {
        const i = first + e;
        const own = switches[e];
        while (nexts[e] < counts[e] && Math.floor(own[nexts[e]] / h) === k) {
          const j = own[nexts[e]++] % h;
          const av = a[i * h + j];
          // A unit on at x = 0 turns off here (take its quadratic away); one off at x = 0 turns on (add it).
          const sign = av > 0 ? -1 : 1;
          addUnit(e, j, sign * av, sign * Math.fround(b[i * h + j] - av));
        }
        kernel.evaluate(outAt + (k * n + i) * o * 4, e * o * 8, c1At + e * o * 8, c2At + e * o * 8, o, at[k]);
      }
    }
  }
  return out;
}

/** The quadratic of the units active at both ends (from the matrix products) plus the bias b(x) = b_t + x·(b_T − b_t). */
function startQuadratics(coefficients: Float64Array, base: number, stride: number, p: Float32Array, i: number, n: number, o: number, biasA: Float32Array, biasB: Float32Array): void {
  const own = i * 2 * o;
  const mixed = (n + i) * 2 * o;
  for (let c = 0; c < o; c++) {
    coefficients[base + c] = p[own + c] + biasA[c];
    coefficients[stride + base + c] = p[own + o + c] + p[mixed + c] + (biasB[c] - biasA[c]);
    coefficients[2 * stride + base + c] = p[mixed + o + c];
  }
}

/** Index of the first point whose pre-activation a + x·d (rounded as the stem's float32 does) has the other sign than a's. */
function firstSwitch(xs: Float64Array, a: number, d: number): number {
  const positive = a > 0;
  let k = 0;
  while (k < xs.length && Math.fround(a + Math.fround(xs[k] * d)) > 0 === positive) k++;
  return k;
}
