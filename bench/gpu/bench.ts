// GPU benchmark: the project's own sweep and training code on the webgpu backend, timed as torch_probe.py times PyTorch.
//
//   node --import tsx bench/gpu/bench.ts            (here: forced webgpu on llvmpipe with BENCH_SMALL=1)
//   node .gpu-build/bench.mjs                        (on a GPU box, bundled by bench/gpu/build.mjs; see bench/gpu/README.md)
//
// One JSON line per measurement to $BENCH_JSONL (and stdout). Sections run in order while the budget
// ($BENCH_BUDGET_S, default 240 s) lasts; $BENCH_SECTIONS picks some. Sizes are the issue's: 10,000 test inputs,
// 100 points, batch 128; BENCH_SMALL=1 shrinks everything so the script can be checked without a GPU.
import { appendFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendChoice } from '../../src/ml/backend/select.js';
import type { Batch, Split } from '../../src/ml/datasets/dataset.js';
import { sweep } from '../../src/ml/interpolation/sweep.js';
import { backendSweepOptions } from '../../src/ml/interpolation/sweep-job.js';
import { initialWeights, type HostWeights } from '../../src/ml/models/init.js';
import { buildModel } from '../../src/ml/models/registry.js';
import { forward, type ModelDef } from '../../src/ml/models/spec.js';
import { disposeWeights, upload } from '../../src/ml/training/device-weights.js';
import { sgdStep, type OptimizerState } from '../../src/ml/training/sgd.js';
import { relativeError } from '../../test/ml/helpers/relative-error.js';

const env = process.env;
const small = env.BENCH_SMALL === '1';
const began = performance.now();
const budgetS = Number(env.BENCH_BUDGET_S ?? 240);
const left = () => budgetS - (performance.now() - began) / 1000;
const wanted = new Set((env.BENCH_SECTIONS ?? 'adapter,correctness,lenet_sweep,resnet20_sweep,lenet_train,resnet20_train,resnet20_recompute,vgg16_train,resnet50_train').split(','));

function emit(record: Record<string, unknown>): void {
  const line = JSON.stringify({ probe: 'linpath-webgpu', ...record });
  console.log(line);
  if (env.BENCH_JSONL) appendFileSync(env.BENCH_JSONL, `${line}\n`);
}

/** A split of deterministic pseudo-random inputs, held on the host like a real dataset, handed out by index. */
function randomSplit(count: number, shape: [number, number, number], classes: number, seed: number): Split {
  const size = shape[0] * shape[1] * shape[2];
  const x = new Float32Array(count * size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < x.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    x[i] = state / 2 ** 31 - 1;
  }
  const y = Int32Array.from({ length: count }, (_, i) => (i * 7 + seed) % classes);
  return {
    count,
    shape,
    classes,
    async batch(indices: ArrayLike<number>): Promise<Batch> {
      const n = indices.length;
      const bx = new Float32Array(n * size);
      const by = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        bx.set(x.subarray(indices[i] * size, (indices[i] + 1) * size), i * size);
        by[i] = y[indices[i]];
      }
      return { x: bx, y: by, n };
    },
  };
}

/** Two endpoints of one architecture, the second with non-trivial BN running statistics. */
function endpoints(model: ModelDef): [HostWeights, HostWeights] {
  const end = initialWeights(model, 2);
  for (const [name, values] of end) {
    if (name.endsWith('running_mean')) values.forEach((_, i) => (values[i] = 0.1 * Math.sin(i)));
    if (name.endsWith('running_var')) values.forEach((_, i) => (values[i] = 1 + 0.5 * Math.cos(i)));
  }
  return [initialWeights(model, 1), end];
}

function gpuMemory(): Record<string, number> {
  const memory = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number; numBytesAllocatedInGPU?: number };
  return { gpu_bytes_live: memory.numBytesInGPU ?? 0, gpu_bytes_pool: memory.numBytesAllocatedInGPU ?? 0, rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20) };
}

async function timeSweep(section: string, name: string, shape: [number, number, number], testCount: number, points: number, extra: { bnMode?: 'interpolate' | 'recompute'; trainCount?: number } = {}) {
  const model = buildModel(name, shape, 10);
  const [start, end] = endpoints(model);
  const test = randomSplit(testCount, shape, 10, 3);
  const train = extra.trainCount ? randomSplit(extra.trainCount, shape, 10, 4) : undefined;
  // The options the sweep stage takes on webgpu (backendSweepOptions), so this times what a pipeline run does.
  const options = { model, start, end, test, train, bnMode: extra.bnMode ?? ('interpolate' as const), linearStem: true, ...backendSweepOptions('webgpu') };
  // The first call compiles the shaders of every kernel shape; the timed one runs warm, as the stage does after its first batch.
  await sweep({ ...options, points: 2 });
  const t0 = performance.now();
  const rows = await sweep({ ...options, points });
  const seconds = (performance.now() - t0) / 1000;
  emit({
    test: section,
    ok: rows.every((r) => Number.isFinite(r.test_loss)),
    model: name,
    points,
    test_inputs: testCount,
    train_inputs: extra.trainCount ?? 0,
    bn_mode: options.bnMode,
    seconds,
    ms_per_point: (1000 * seconds) / points,
    loss_first: rows[0].test_loss,
    loss_last: rows.at(-1)!.test_loss,
    ...gpuMemory(),
  });
}

async function timeTraining(section: string, name: string, shape: [number, number, number], batch: number, steps: number, settings: { lr: number; momentum: number; weightDecay: number }) {
  const model = buildModel(name, shape, name === 'resnet_50' ? 1000 : 10);
  const data = randomSplit(batch * 4, shape, model.classes, 5);
  const batches = await Promise.all([0, 1, 2, 3].map((b) => data.batch(Array.from({ length: batch }, (_, i) => b * batch + i))));
  let state: OptimizerState = { weights: upload(model, initialWeights(model, 1)), velocity: {} };
  const step = (k: number) => {
    const { x, y } = batches[k % batches.length];
    const input = tf.tensor4d(x, [batch, ...shape]);
    const labels = tf.tensor1d(y, 'int32');
    const result = sgdStep(model, state, input, labels, settings);
    tf.dispose([input, labels]);
    state = result.state;
    return result.loss;
  };
  const warm = Math.min(5, steps);
  let first = NaN;
  for (let k = 0; k < warm; k++) {
    const loss = step(k);
    if (k === 0) first = (await loss.data())[0];
    else await loss.data();
    loss.dispose();
  }
  // Timed steps are queued back to back with one wait at the end, as the training loop runs them (it reads losses late).
  const t0 = performance.now();
  const losses: tf.Scalar[] = [];
  let done = 0;
  for (; done < steps && (done === 0 || left() > 20); done++) losses.push(step(done));
  const last = (await losses.at(-1)!.data())[0];
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose(losses);
  const memory = gpuMemory();
  // Kernel profile of one more step: which kernels the time goes to, and how many dispatches a step issues.
  let profile: Record<string, unknown> = {};
  if (left() > 30) {
    // Dispatches, counted where tfjs-webgpu issues them: the host-side cost of a step grows with their number.
    const backend = tf.backend() as unknown as { runWebGPUProgram: (...args: unknown[]) => unknown };
    const issue = backend.runWebGPUProgram;
    let dispatches = 0;
    backend.runWebGPUProgram = (...args: unknown[]) => {
      dispatches++;
      return issue.apply(backend, args);
    };
    const info = await tf.profile(async () => {
      const loss = step(0);
      await loss.data();
      loss.dispose();
    });
    backend.runWebGPUProgram = issue;
    const byName = new Map<string, { ms: number; count: number }>();
    for (const kernel of info.kernels) {
      const entry = byName.get(kernel.name) ?? { ms: 0, count: 0 };
      entry.ms += typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0;
      entry.count++;
      byName.set(kernel.name, entry);
    }
    const top = [...byName]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 8)
      .map(([kernel, { ms, count }]) => `${kernel}:${ms.toFixed(2)}ms/${count}`);
    profile = { dispatches_per_step: dispatches, profile_kernels: info.kernels.length, profile_kernel_ms: [...byName.values()].reduce((s, e) => s + e.ms, 0), profile_top: top };
  }
  disposeWeights(state.weights);
  disposeWeights(state.velocity);
  emit({ test: section, ok: Number.isFinite(last), model: name, batch, steps: done, ms_per_step: (1000 * seconds) / done, loss_first: first, loss_last: last, ...memory, ...profile });
}

async function correctness(choice: BackendChoice) {
  for (const [name, shape, n] of [
    ['lenet_300_100', [28, 28, 1], 256],
    ['resnet_20', [32, 32, 3], 16],
  ] as const) {
    const model = buildModel(name, [...shape], 10);
    const host = initialWeights(model, 9);
    const x = (await randomSplit(n, [...shape], 10, 11).batch(Array.from({ length: n }, (_, i) => i))).x;
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const w = upload(model, host);
      const logits = tf.tidy(() => forward(model, w, tf.tensor4d(x, [n, ...shape]), { training: false }));
      const values = (await logits.data()) as Float32Array;
      tf.dispose([logits, ...Object.values(w)]);
      return values;
    };
    const expected = await run('cpu');
    const actual = await run('webgpu');
    const relative = relativeError(actual, expected);
    emit({ test: `correctness_${name}`, ok: relative < 1e-5, relative_error: relative, device: choice.device });
  }
}

async function main() {
  const lines: string[] = [];
  // As the runner would lease it: GPU 0 of the pool. Forced only when asked (llvmpipe checks of this script).
  const choice = await selectBackend({ forced: env.BENCH_FORCE_WEBGPU === '1' ? 'webgpu' : undefined, env: { CUDA_VISIBLE_DEVICES: '0', ...env }, log: (l) => lines.push(l) });
  emit({
    test: 'adapter',
    ok: choice.backend === 'webgpu',
    backend: choice.backend,
    device: choice.device,
    adapter: choice.adapter,
    gpu: choice.gpu,
    log: lines,
    tfjs: tf.version.tfjs,
    node: process.version,
  });
  if (choice.backend !== 'webgpu') return;
  await import('@tensorflow/tfjs-backend-cpu');
  const n = small ? 200 : 10_000;
  const sections: [string, () => Promise<void>][] = [
    ['correctness', () => correctness(choice)],
    ['lenet_sweep', () => timeSweep('lenet_sweep', 'lenet_300_100', [28, 28, 1], n, small ? 5 : 100)],
    ['resnet20_sweep', () => timeSweep('resnet20_sweep', 'resnet_20', [32, 32, 3], n, small ? 3 : 100)],
    ['lenet_train', () => timeTraining('lenet_train', 'lenet_300_100', [28, 28, 1], small ? 16 : 128, small ? 3 : 200, { lr: 0.1, momentum: 0, weightDecay: 0 })],
    ['resnet20_train', () => timeTraining('resnet20_train', 'resnet_20', [32, 32, 3], small ? 8 : 128, small ? 2 : 50, { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 })],
    // recompute-BN: every point also runs the training set with batch statistics; 3 points, to extrapolate to 100.
    ['resnet20_recompute', () => timeSweep('resnet20_recompute', 'resnet_20', [32, 32, 3], n, 3, { bnMode: 'recompute', trainCount: small ? 200 : 50_000 })],
    ['vgg16_train', () => timeTraining('vgg16_train', 'vgg_16', [32, 32, 3], small ? 4 : 128, small ? 1 : 20, { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 })],
    ['resnet50_train', () => timeTraining('resnet50_train', 'resnet_50', small ? [64, 64, 3] : [224, 224, 3], small ? 2 : 128, small ? 1 : 3, { lr: 0.4, momentum: 0.9, weightDecay: 1e-4 })],
  ];
  for (const [name, run] of sections) {
    if (!wanted.has(name)) continue;
    if (left() < 15) {
      emit({ test: name, ok: false, skipped: `budget: ${left().toFixed(0)} s left` });
      continue;
    }
    const t0 = performance.now();
    try {
      await run();
    } catch (error) {
      emit({ test: name, ok: false, error: String((error as Error).stack ?? error).slice(0, 2000) });
    }
    console.error(`[bench] ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${left().toFixed(0)} s of budget left`);
  }
}

await main();
