// Times linpath's webgpu Conv2DBackpropFilter against tfjs's own on ResNet-20's layers (batch 128): run by hand on a GPU box.
// Usage: node --import tsx bench/gpu/filter-grad.ts [batch] [reps] [--sweep]  (JSON lines)
// --sweep also times other tile shapes and split counts per layer (plan overrides), to tune the planner on the GPU.
// On llvmpipe use a small batch (e.g. 4): tfjs's own kernel is the slow part there too.
import * as tf from '@tensorflow/tfjs';
import { findAdapter } from '../../src/ml/backend/webgpu/adapter.js';
import { registerWebgpuBackend } from '../../src/ml/backend/webgpu/register.js';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { planFilterGrad, type PlanOptions } from '../../src/ml/kernels/webgpu/conv2d-backprop-filter-plan.js';
import { conv2DBackpropFilterWebgpu } from '../../src/ml/kernels/webgpu/conv2d-backprop-filter.js';
import { registerWebgpuKernels } from '../../src/ml/kernels/webgpu/register.js';
import { relativeError } from '../../test/ml/helpers/relative-error.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const batch = Number(args[0] ?? 128);
const reps = Number(args[1] ?? 20);
const sweep = process.argv.includes('--sweep');

// [name, input H = W, ci, co, filter size, stride]: every distinct filter-gradient shape of CIFAR ResNet-20, with
// how many times a training step meets it.
const layers: [string, number, number, number, number, number, number][] = [
  ['stem 3×3 3→16', 32, 3, 16, 3, 1, 1],
  ['stage 1 3×3 16→16', 32, 16, 16, 3, 1, 6],
  ['stage 2 3×3/2 16→32', 32, 16, 32, 3, 2, 1],
  ['stage 2 shortcut 1×1/2 16→32', 32, 16, 32, 1, 2, 1],
  ['stage 2 3×3 32→32', 16, 32, 32, 3, 1, 5],
  ['stage 3 3×3/2 32→64', 16, 32, 64, 3, 2, 1],
  ['stage 3 shortcut 1×1/2 32→64', 16, 32, 64, 1, 2, 1],
  ['stage 3 3×3 64→64', 8, 64, 64, 3, 1, 5],
];

/** Mean wall time of `count` calls queued back to back with one sync at the end (as the training probe times steps). */
async function wallMs(run: () => tf.Tensor, count: number): Promise<number> {
  const start = performance.now();
  const results = Array.from({ length: count }, run);
  await results[results.length - 1].data();
  tf.dispose(results);
  return (performance.now() - start) / count;
}

/** GPU time of one call from timestamp queries; null where the adapter has none (tfjs then reports 0). */
async function kernelMs(run: () => tf.Tensor): Promise<number | null> {
  const info = await tf.time(() => {
    run().dispose();
  });
  return typeof info.kernelMs === 'number' && info.kernelMs > 0 ? info.kernelMs : null;
}

/** Other plans around the default: a quarter to four times the splits, the other workgroup shapes, deeper tiles. */
function variants(gemm: { m: number; n: number; k: number }): PlanOptions[] {
  const plan = planFilterGrad(gemm);
  const result: PlanOptions[] = [];
  for (const factor of [0.25, 0.5, 2, 4]) {
    const splits = Math.round(plan.splits * factor);
    if (splits >= 1 && splits * 16 <= gemm.k) result.push({ splits });
  }
  for (const threadsN of [plan.threadsN, plan.threadsN / 2].filter((t) => t >= 1)) {
    for (const threadsM of [4, 8, 16, 32]) {
      if (threadsM * threadsN > 256 || (threadsM === plan.threadsM && threadsN === plan.threadsN)) continue;
      result.push({ threadsM, threadsN });
    }
  }
  result.push({ tileK: 32 });
  return result.filter((options) => {
    try {
      planFilterGrad(gemm, options);
      return true;
    } catch {
      return false; // a tile that does not fit workgroup memory
    }
  });
}

tf.enableProdMode();
const found = await findAdapter({ allowSoftware: true });
await registerWebgpuBackend(found);
const theirs = tf.getKernel('Conv2DBackpropFilter', 'webgpu')!;
registerWebgpuKernels();
const ours = tf.getKernel('Conv2DBackpropFilter', 'webgpu')!;
await tf.setBackend('webgpu');
const use = (config: tf.KernelConfig) => {
  tf.unregisterKernel('Conv2DBackpropFilter', 'webgpu');
  tf.registerKernel(config);
};
console.log(JSON.stringify({ adapter: found.description, batch, reps }));

let stepOurs = 0;
let stepTheirs = 0;
for (const [name, size, ci, co, k, stride, count] of layers) {
  const x = tf.randomNormal([batch, size, size, ci]) as tf.Tensor4D;
  const out = Math.ceil(size / stride);
  const dy = tf.randomNormal([batch, out, out, co]) as tf.Tensor4D;
  const attrs = { strides: stride, pad: 'same', dataFormat: 'NHWC', filterShape: [k, k, ci, co] };
  const run = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  const gemm = { m: k * k * ci, n: co, k: batch * out * out };
  const flops = 2 * gemm.m * gemm.n * gemm.k;

  use(theirs);
  const reference = run();
  const expected = await reference.data();
  reference.dispose();
  const theirMs = await wallMs(run, 1);
  use(ours);
  const result = run();
  const error = relativeError(await result.data(), expected);
  result.dispose();
  const ourMs = await wallMs(run, reps);
  const ourKernelMs = await kernelMs(run);
  stepOurs += count * ourMs;
  stepTheirs += count * theirMs;
  console.log(
    JSON.stringify({
      layer: name,
      gemm,
      plan: planFilterGrad(gemm),
      gflop: flops / 1e9,
      relative_error_vs_tfjs: error,
      tfjs_ms: theirMs,
      ours_ms: ourMs,
      ours_kernel_ms: ourKernelMs,
      ours_tflops: flops / ourMs / 1e9,
      per_step: count,
    }),
  );
  if (sweep) {
    const info = tf.backend_util.computeConv2DInfo(x.shape, [k, k, ci, co], stride, 1, 'same');
    const backend = tf.backend() as WebGPUBackend;
    let best = { options: {} as PlanOptions, ms: ourMs };
    for (const options of variants(gemm)) {
      const runWith = () => tf.engine().makeTensorFromTensorInfo(conv2DBackpropFilterWebgpu(backend, x, dy, info, options));
      const check = runWith();
      const variantError = relativeError(await check.data(), expected);
      check.dispose();
      const ms = await wallMs(runWith, reps);
      if (ms < best.ms) best = { options, ms };
      console.log(JSON.stringify({ layer: name, options, plan: planFilterGrad(gemm, options), ms, kernel_ms: await kernelMs(runWith), relative_error_vs_tfjs: variantError }));
    }
    console.log(JSON.stringify({ layer: name, best, default_ms: ourMs }));
  }
  tf.dispose([x, dy]);
}
console.log(JSON.stringify({ step_filter_gradients_ms: { tfjs: stepTheirs, ours: stepOurs } }));
