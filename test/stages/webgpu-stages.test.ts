// The train and sweep stage programs on webgpu (llvmpipe): the adapter reaches PIPELINE_INFO, and checkpoints cross backends both ways.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webgpuForTests } from '../ml/helpers/webgpu.js';
import { readSafetensors } from '../../src/ml/checkpoint/safetensors.js';
import { writeMnistDataset } from '../ml/datasets/fixtures.js';
import { runStageProgram, tinyRecipe, writeParams } from './stage-rig.js';
import { relativeError } from '../ml/helpers/relative-error.js';

let work: string;
let data: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'linpath-webgpu-stage-'));
  data = path.join(work, 'mnist');
  await writeMnistDataset(data, 96, 40);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

// conv_bn: convolutions (our filter gradient), BatchNorm in training mode and the fused optimizer with momentum and wd.
const recipe = tinyRecipe({ model: 'conv_bn', epochs: 1, milestones: [], checkpoints: [0, 2, 6] });

async function stage(name: 'train' | 'sweep', backend: string, args: string[], params: unknown, info = '') {
  const file = await writeParams(work, `${name}-${backend}-${Math.random().toString(36).slice(2)}`, params);
  const run = await runStageProgram(name, args, { PIPELINE_PARAMS: file, PIPELINE_INFO: info, CUDA_VISIBLE_DEVICES: '0' }, backend);
  expect(run.exitCode, run.all).toBe(0);
  return run;
}

const sweepParams = { points: 4, bn_mode: 'interpolate', train_loss: false };
const losses = async (dir: string) => JSON.parse(await readFile(path.join(dir, 'sweep.json'), 'utf8')).rows.map((r: { test_loss: number }) => r.test_loss) as number[];

const webgpu = await webgpuForTests('webgpu stage tests');

describe.skipIf(!webgpu)('stages on webgpu', () => {
  it('records the adapter, and writes checkpoints the wasm sweep reads as its own (and the other way round)', async () => {
    const info = path.join(work, 'info.json');
    const onGpu = path.join(work, 'train-webgpu');
    const onCpu = path.join(work, 'train-wasm');
    const trained = await stage('train', 'webgpu', ['--setting', 'tiny', '--data', data, '--out', onGpu], { recipe }, info);
    expect(trained.all).toMatch(/backend webgpu \(device .*llvmpipe/);
    expect(JSON.parse(await readFile(info, 'utf8'))).toMatchObject({ backend: 'webgpu', device: expect.stringContaining('opengles, software'), adapter_device: expect.stringContaining('llvmpipe') });
    await stage('train', 'wasm', ['--setting', 'tiny', '--data', data, '--out', onCpu], { recipe });

    // The same file layout: tensor names, shapes, dtype and header metadata; values a few SGD steps apart agree closely.
    const [a, b] = await Promise.all([readSafetensors(path.join(onGpu, 'checkpoints/it6.safetensors')), readSafetensors(path.join(onCpu, 'checkpoints/it6.safetensors'))]);
    expect(a.metadata).toEqual(b.metadata);
    expect([...a.tensors.keys()]).toEqual([...b.tensors.keys()]);
    for (const [name, tensor] of b.tensors) {
      const other = a.tensors.get(name)!;
      expect(other.shape, name).toEqual(tensor.shape);
      expect(relativeError(other.data, tensor.data), name).toBeLessThan(1e-3);
    }

    // Crossing over: wasm sweeps the webgpu checkpoints and webgpu the wasm ones; each equals the same backend's own sweep.
    const sweep = async (backend: string, train: string) => {
      const out = path.join(work, `sweep-${backend}-${path.basename(train)}`);
      await stage('sweep', backend, ['--train', train, '--data', data, '--iteration', '2', '--out', out], sweepParams);
      return losses(out);
    };
    const wasmOnGpuCheckpoints = await sweep('wasm', onGpu);
    const gpuOnGpuCheckpoints = await sweep('webgpu', onGpu);
    const gpuOnCpuCheckpoints = await sweep('webgpu', onCpu);
    const wasmOnCpuCheckpoints = await sweep('wasm', onCpu);
    wasmOnGpuCheckpoints.forEach((loss, i) => expect(Math.abs(gpuOnGpuCheckpoints[i] - loss) / loss).toBeLessThan(1e-5));
    wasmOnCpuCheckpoints.forEach((loss, i) => expect(Math.abs(gpuOnCpuCheckpoints[i] - loss) / loss).toBeLessThan(1e-5));
  }, 300_000);
});
