// The wasm convolution gradient kernels agree with the reference cpu backend on random shapes.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmKernels } from '../../../src/ml/kernels/register.js';
import { mulberry32 } from '../../../src/ml/random.js';

type Pad = 'same' | 'valid' | number;
interface Case {
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  k: number;
  stride: number;
  pad: Pad;
}

function randomCases(count: number): Case[] {
  const r = mulberry32(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: count }, () => {
    const k = pick([1, 3, 5]);
    return {
      n: pick([1, 2, 3]),
      h: pick([5, 7, 8, 9]),
      w: pick([5, 6, 8, 11]),
      cin: pick([1, 2, 3, 4]),
      cout: pick([1, 3, 5]),
      k,
      stride: pick([1, 2, 3]),
      pad: pick<Pad>(['same', 'valid', Math.floor(k / 2)]),
    };
  });
}

function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

async function gradientsOn(backend: string, c: Case, seed: number): Promise<[Float32Array, Float32Array]> {
  await tf.setBackend(backend);
  const r = mulberry32(seed);
  const values = (size: number) => Float32Array.from({ length: size }, () => 2 * r() - 1);
  const x = tf.tensor4d(values(c.n * c.h * c.w * c.cin), [c.n, c.h, c.w, c.cin]);
  const filter = tf.tensor4d(values(c.k * c.k * c.cin * c.cout), [c.k, c.k, c.cin, c.cout]);
  const pad =
    typeof c.pad === 'number'
      ? ([
          [0, 0],
          [c.pad, c.pad],
          [c.pad, c.pad],
          [0, 0],
        ] as [[number, number], [number, number], [number, number], [number, number]])
      : c.pad;
  const outShape = tf.conv2d(x, filter, c.stride, pad).shape;
  const dy = tf.tensor(values(outShape.reduce((a, b) => a * b, 1)), outShape);
  const [dx, dFilter] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, pad), dy)))([x, filter]);
  const result: [Float32Array, Float32Array] = [(await dx.data()) as Float32Array, (await dFilter.data()) as Float32Array];
  tf.dispose([x, filter, dy, dx, dFilter]);
  return result;
}

describe('wasm Conv2DBackpropFilter / Conv2DBackpropInput', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmKernels();
  });

  it('registers the filter gradient wasm lacks and replaces the input gradient', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc.name).not.toBe('conv2DBackpropInput');
  });

  it.each(randomCases(24).map((c, i) => [i, c] as const))('case %i matches cpu to 1e-5 relative: %o', async (i, c) => {
    const [cpuDx, cpuDw] = await gradientsOn('cpu', c, 100 + i);
    const [wasmDx, wasmDw] = await gradientsOn('wasm', c, 100 + i);
    expect(wasmDw.length).toBe(cpuDw.length);
    expect(wasmDx.length).toBe(cpuDx.length);
    expect(relativeError(wasmDw, cpuDw)).toBeLessThan(1e-5);
    expect(relativeError(wasmDx, cpuDx)).toBeLessThan(1e-5);
  });
});
