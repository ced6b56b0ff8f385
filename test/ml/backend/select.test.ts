// Backend choice: forcing one, rejecting unknown names, falling through to wasm without native packages, recording the choice.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { recordBackend } from '../../../src/ml/backend/record.js';
import { selectBackend } from '../../../src/ml/backend/select.js';

// Resolving does not import: a failed native import would register kernels in this process.
const nativeInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

describe('selectBackend', () => {
  it('honours a forced backend and PIPELINE_BACKEND', async () => {
    expect(await selectBackend({ forced: 'cpu', env: {} })).toEqual({ backend: 'cpu', device: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    expect(await selectBackend({ env: { PIPELINE_BACKEND: 'wasm' } })).toEqual({ backend: 'wasm', device: 'cpu' });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects an unknown backend by name', async () => {
    await expect(selectBackend({ forced: 'metal', env: {} })).rejects.toMatchObject({ reason: 'unknown-backend', message: expect.stringContaining('metal') });
  });

  it.skipIf(nativeInstalled)('reports a forced native backend that is not installed as unavailable', async () => {
    await expect(selectBackend({ forced: 'tensorflow', env: {} })).rejects.toMatchObject({ reason: 'backend-unavailable' });
  });

  it.skipIf(nativeInstalled)('falls through to wasm when no native package imports, and logs why', async () => {
    const lines: string[] = [];
    const choice = await selectBackend({ env: { CUDA_VISIBLE_DEVICES: '' }, log: (l) => lines.push(l) });
    expect(choice.backend).toBe('wasm');
    expect(lines.join('\n')).toContain('tensorflow');
  });

  it.skipIf(nativeInstalled)(
    'tries webgpu first when a GPU is leased, but never settles for a software adapter unless forced',
    async () => {
      const lines: string[] = [];
      // This machine has no GPU: Dawn finds at most Mesa's lavapipe (software), which an unforced choice refuses.
      const choice = await selectBackend({ env: { CUDA_VISIBLE_DEVICES: '0' }, log: (l) => lines.push(l) });
      expect(choice.backend).toBe('wasm');
      expect(lines.join('\n')).toMatch(/backend webgpu unavailable \(webgpu: no GPU adapter/);
    },
    60_000,
  );

  it('does not load Dawn at all for a stage that leased no GPU', async () => {
    const lines: string[] = [];
    await selectBackend({ env: { CUDA_VISIBLE_DEVICES: '' }, log: (l) => lines.push(l) });
    expect(lines.join('\n')).not.toContain('webgpu');
  });

  it('records a webgpu adapter and its GPU beside backend and device', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'linpath-info-')), 'info.json');
    const adapter = { vendor: 'nvidia', architecture: 'hopper', device: 'nvidia-h200', description: 'NVIDIA H200', api: 'vulkan' as const, software: false };
    recordBackend({ backend: 'webgpu', device: 'nvidia nvidia-h200 (vulkan)', adapter, gpu: { index: '2', uuid: 'GPU-3', bus_id: '00000000:4C:00.0' } }, { PIPELINE_INFO: file });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      backend: 'webgpu',
      device: 'nvidia nvidia-h200 (vulkan)',
      adapter_vendor: 'nvidia',
      adapter_device: 'nvidia-h200',
      adapter_description: 'NVIDIA H200',
      gpu_index: '2',
      gpu_uuid: 'GPU-3',
      gpu_bus_id: '00000000:4C:00.0',
    });
  });

  it('writes the choice into PIPELINE_INFO', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'linpath-info-')), 'info.json');
    recordBackend({ backend: 'wasm', device: 'cpu' }, { PIPELINE_INFO: file });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ backend: 'wasm', device: 'cpu' });
  });
});
