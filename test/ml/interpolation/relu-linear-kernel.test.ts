// The committed relu-linear-kernel.wasm is the assembly of its .wat, and its loops equal the scalar arithmetic.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { reluLinearKernel, reserveBytes } from '../../../src/ml/interpolation/relu-linear-kernel.js';

const root = path.resolve(import.meta.dirname, '../../..');

describe('relu-linear kernel', () => {
  it('is committed as the assembly of its source', async () => {
    await expect(promisify(execFile)(process.execPath, ['scripts/build-wasm.mjs', '--check'], { cwd: root })).resolves.toBeDefined();
  });

  it.each([8, 7])('adds a unit and evaluates exactly as float64 scalar code does (%i outputs)', (o) => {
    const kernel = reluLinearKernel();
    const heap = reserveBytes(kernel, 4096);
    const c = new Float64Array(heap, 0, 3 * o);
    const w = new Float32Array(heap, 3 * o * 8, o);
    const dw = new Float32Array(heap, 3 * o * 8 + o * 4, o);
    const out = new Float32Array(heap, 3 * o * 8 + 2 * o * 4, o);
    for (let k = 0; k < o; k++) {
      c[k] = 0.1 * k;
      c[o + k] = -0.3 * k;
      c[2 * o + k] = 1 / (k + 1);
      w[k] = Math.sin(k + 1);
      dw[k] = Math.cos(3 * k);
    }
    const expected = Array.from({ length: o }, (_, k) => {
      const [a, d] = [0.7, -1.9];
      const c0 = 0.1 * k + a * w[k];
      const c1 = -0.3 * k + (a * dw[k] + d * w[k]);
      const c2 = 1 / (k + 1) + d * dw[k];
      return Math.fround(c0 + 0.37 * (c1 + 0.37 * c2));
    });
    kernel.addUnit(0, o * 8, 2 * o * 8, 3 * o * 8, 3 * o * 8 + o * 4, o, 0.7, -1.9);
    kernel.evaluate(3 * o * 8 + 2 * o * 4, 0, o * 8, 2 * o * 8, o, 0.37);
    expect([...out]).toEqual(expected);
  });
});
