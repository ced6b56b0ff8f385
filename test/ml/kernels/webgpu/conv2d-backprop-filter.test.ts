// linpath's webgpu Conv2DBackpropFilter (split-K GEMM) agrees with the cpu backend's on Mesa llvmpipe, directly and through tf.grad.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../src/ml/backend/select.js';
import { mulberry32 } from '../../../../src/ml/random.js';
import type { PlanOptions } from '../../../../src/ml/kernels/webgpu/conv2d-backprop-filter-plan.js';
import { conv2DBackpropFilterWebgpu, conv2DBackpropFilterWebgpuConfig } from '../../../../src/ml/kernels/webgpu/conv2d-backprop-filter.js';
import { relativeError } from '../../helpers/relative-error.js';
import { webgpuForTests } from '../../helpers/webgpu.js';

await selectBackend({ forced: 'cpu' });
const webgpu = await webgpuForTests('webgpu filter-gradient tests');

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  name: string;
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  k: number;
  stride: number;
  pad: Pad;
  options?: PlanOptions;
}

const cases: Case[] = [
  { name: '3×3 s1 same, channels not multiples of 4', n: 2, h: 8, w: 8, cin: 3, cout: 5, k: 3, stride: 1, pad: 'same' },
  { name: '3×3 s2 same, ResNet-like 16→16', n: 3, h: 9, w: 9, cin: 16, cout: 16, k: 3, stride: 2, pad: 'same' },
  { name: '3×3 s2 valid, odd sizes', n: 2, h: 10, w: 7, cin: 6, cout: 10, k: 3, stride: 2, pad: 'valid' },
  { name: '1×1 s2 valid shortcut 16→32', n: 2, h: 8, w: 8, cin: 16, cout: 32, k: 1, stride: 2, pad: 'valid' },
  { name: '1×1 s1 same', n: 2, h: 5, w: 6, cin: 7, cout: 3, k: 1, stride: 1, pad: 'same' },
  { name: '7×7 s2 same stem', n: 2, h: 15, w: 15, cin: 3, cout: 8, k: 7, stride: 2, pad: 'same' },
  { name: '7×7 s1 valid', n: 1, h: 9, w: 10, cin: 2, cout: 3, k: 7, stride: 1, pad: 'valid' },
  {
    name: '3×3 s1 explicit asymmetric padding',
    n: 2,
    h: 6,
    w: 7,
    cin: 4,
    cout: 7,
    k: 3,
    stride: 1,
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  },
  { name: 'several tiles along m and n (180 × 70)', n: 1, h: 6, w: 6, cin: 20, cout: 70, k: 3, stride: 1, pad: 'same' },
  // K = 3·15·15 = 675: the planner's own split (5 × 144) leaves a short last split.
  { name: 'planned split-K not dividing K', n: 3, h: 15, w: 15, cin: 4, cout: 8, k: 3, stride: 1, pad: 'same' },
  // The planner's own choices on ResNet-20 layers: 64×16 tiles × 16 splits; 64×64 tiles of 256 threads (the cpu
  // reference is too slow for stage 3 at a real image size).
  { name: 'ResNet-20 stage 1 at batch 2', n: 2, h: 32, w: 32, cin: 16, cout: 16, k: 3, stride: 1, pad: 'same' },
  { name: 'ResNet-20 stage 3 channels, one 6×6 image', n: 1, h: 6, w: 6, cin: 64, cout: 64, k: 3, stride: 1, pad: 'same' },
  { name: 'forced 7 splits of K = 2·7·7', n: 2, h: 7, w: 7, cin: 5, cout: 6, k: 3, stride: 1, pad: 'same', options: { splits: 7 } },
  // 121 splits of K = 2·31·31 = 1922, summed by 8 lanes an output (121 is not a multiple of 8).
  { name: 'forced 121 splits, several lanes a sum', n: 2, h: 31, w: 31, cin: 4, cout: 5, k: 3, stride: 1, pad: 'same', options: { splits: 121 } },
  { name: 'forced 3 splits, stride 2', n: 3, h: 11, w: 9, cin: 8, cout: 12, k: 3, stride: 2, pad: 'same', options: { splits: 3 } },
  { name: 'one-thread workgroups', n: 2, h: 5, w: 5, cin: 3, cout: 5, k: 3, stride: 1, pad: 'same', options: { threadsM: 1, threadsN: 1, splits: 2 } },
  { name: 'one-thread workgroups, vec4 loads', n: 2, h: 5, w: 5, cin: 8, cout: 4, k: 3, stride: 2, pad: 'same', options: { threadsM: 1, threadsN: 1, splits: 2 } },
  { name: 'deeper tiles (tileK 32), 3 splits', n: 2, h: 9, w: 9, cin: 8, cout: 12, k: 3, stride: 1, pad: 'same', options: { tileK: 32, splits: 3 } },
  { name: '256-thread workgroups (128 × 32 tiles)', n: 2, h: 6, w: 6, cin: 17, cout: 9, k: 3, stride: 2, pad: 'same', options: { threadsM: 32, threadsN: 8 } },
];

function hostData(c: Case, seed: number): { x: Float32Array; dy: Float32Array; dyShape: [number, number, number, number] } {
  const r = mulberry32(seed);
  const x = Float32Array.from({ length: c.n * c.h * c.w * c.cin }, () => 2 * r() - 1);
  const info = tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.cin], [c.k, c.k, c.cin, c.cout], c.stride, 1, c.pad);
  const dyShape: [number, number, number, number] = [c.n, info.outHeight, info.outWidth, c.cout];
  const dy = Float32Array.from({ length: dyShape.reduce((a, b) => a * b, 1) }, () => 2 * r() - 1);
  return { x, dy, dyShape };
}

/** Computes dW on `backend` from host data; on webgpu with plan overrides, through the kernel function itself. */
async function filterGradient(backend: string, c: Case, data: ReturnType<typeof hostData>, options?: PlanOptions): Promise<Float32Array> {
  await tf.setBackend(backend);
  const x = tf.tensor4d(data.x, [c.n, c.h, c.w, c.cin]);
  const dy = tf.tensor4d(data.dy, data.dyShape);
  const filterShape: [number, number, number, number] = [c.k, c.k, c.cin, c.cout];
  let dw: tf.Tensor;
  if (options) {
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, c.stride, 1, c.pad);
    dw = tf.engine().makeTensorFromTensorInfo(conv2DBackpropFilterWebgpu(tf.backend() as WebGPUBackend, x, dy, info, options));
  } else {
    const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape };
    dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  expect(dw.shape).toEqual(filterShape);
  const values = (await dw.data()) as Float32Array;
  tf.dispose([x, dy, dw]);
  return values;
}

describe.skipIf(!webgpu)('webgpu Conv2DBackpropFilter', () => {
  it('is linpath’s kernel, not tfjs’s', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'webgpu')?.kernelFunc).toBe(conv2DBackpropFilterWebgpuConfig.kernelFunc);
  });

  it.each(cases)('matches cpu: $name', async (c) => {
    const data = hostData(c, 11);
    const expected = await filterGradient('cpu', c, data);
    const actual = await filterGradient('webgpu', c, data, c.options);
    expect(relativeError(actual, expected)).toBeLessThanOrEqual(1e-5);
  });

  it('is what tf.grad of a conv2d uses, and matches cpu there', async () => {
    const c = cases[1];
    const r = mulberry32(5);
    const xHost = Float32Array.from({ length: c.n * c.h * c.w * c.cin }, () => 2 * r() - 1);
    const wHost = Float32Array.from({ length: c.k * c.k * c.cin * c.cout }, () => 2 * r() - 1);
    const gradientOn = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(xHost, [c.n, c.h, c.w, c.cin]);
      const w = tf.tensor4d(wHost, [c.k, c.k, c.cin, c.cout]);
      // A non-uniform upstream gradient: the square of the output.
      const dw = tf.grad((filter: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, filter as tf.Tensor4D, c.stride, 'same'))))(w);
      const values = (await dw.data()) as Float32Array;
      tf.dispose([x, w, dw]);
      return values;
    };
    const calls = { count: 0 };
    const ours = conv2DBackpropFilterWebgpuConfig.kernelFunc;
    tf.unregisterKernel('Conv2DBackpropFilter', 'webgpu');
    tf.registerKernel({ ...conv2DBackpropFilterWebgpuConfig, kernelFunc: (args) => (calls.count++, ours(args)) });
    try {
      const actual = await gradientOn('webgpu');
      expect(calls.count).toBe(1);
      expect(relativeError(actual, await gradientOn('cpu'))).toBeLessThanOrEqual(1e-5);
    } finally {
      tf.unregisterKernel('Conv2DBackpropFilter', 'webgpu');
      tf.registerKernel(conv2DBackpropFilterWebgpuConfig);
    }
  });

  it('refuses NCHW, saying it supports NHWC only', async () => {
    await tf.setBackend('webgpu');
    const x = tf.zeros([1, 2, 5, 5]);
    const dy = tf.zeros([1, 3, 5, 5]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] };
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap)).toThrow(/NHWC/);
    tf.dispose([x, dy]);
  });
});
