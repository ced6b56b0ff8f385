// Checkpoints are real safetensors: read back by a minimal parser written here from the format's description.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sidecarPath } from '../../../src/artifacts/checkpoint-sidecar.js';
import { checkpointPath, readCheckpoint, writeCheckpoint } from '../../../src/ml/checkpoint/files.js';
import { readSafetensors } from '../../../src/ml/checkpoint/safetensors.js';
import { initialWeights } from '../../../src/ml/models/init.js';
import { buildModel } from '../../../src/ml/models/registry.js';

/** 8-byte little-endian header size, JSON header, then raw little-endian data at the given offsets. */
function parseIndependently(bytes: Buffer): Record<string, { shape: number[]; values: number[] }> & { __metadata__?: unknown } {
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + n));
  const out: Record<string, { shape: number[]; values: number[] }> = {};
  for (const [name, entry] of Object.entries<{ dtype: string; shape: number[]; data_offsets: [number, number] }>(header)) {
    if (name === '__metadata__') continue;
    expect(entry.dtype).toBe('F32');
    const values: number[] = [];
    for (let at = 8 + n + entry.data_offsets[0]; at < 8 + n + entry.data_offsets[1]; at += 4) values.push(bytes.readFloatLE(at));
    out[name] = { shape: entry.shape, values };
  }
  return Object.assign(out, { __metadata__: header.__metadata__ });
}

describe('checkpoint files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'linpath-ckpt-'));

  it('writes row-major float32 tensors under PyTorch names and shapes, with a sidecar', async () => {
    const model = buildModel('conv_bn', [12, 12, 2], 3);
    const weights = initialWeights(model, 5);
    await writeCheckpoint(dir, model, weights, { setting: 's', iteration: 40, seed: 5, backend: 'wasm', test_loss: 1.5, test_accuracy: 0.25 });
    const bytes = readFileSync(checkpointPath(dir, 40));
    expect(Number(bytes.readBigUInt64LE(0)) % 8).toBe(0);
    const parsed = parseIndependently(bytes);
    expect(parsed.__metadata__).toMatchObject({ format: 'pt', iteration: '40' });

    // conv1.weight: tfjs [kh, kw, in, out] = [5, 5, 2, 16] → PyTorch [out, in, kh, kw].
    const conv1 = parsed['conv1.weight'];
    expect(conv1.shape).toEqual([16, 2, 5, 5]);
    const tfjs = weights.get('conv1.weight')!;
    const [o, i, y, x] = [7, 1, 3, 2];
    expect(conv1.values[((o * 2 + i) * 5 + y) * 5 + x]).toBe(tfjs[((y * 5 + x) * 2 + i) * 16 + o]);
    // fc.weight: tfjs [in, out] = [144, 3] (16 channels × 3 × 3) → PyTorch [out, in].
    expect(parsed['fc.weight'].shape).toEqual([3, 144]);
    expect(parsed['fc.weight'].values[2 * 144 + 99]).toBe(weights.get('fc.weight')![99 * 3 + 2]);
    expect(parsed['bn2.running_var'].values).toEqual(Array(16).fill(1));
    expect(
      Object.keys(parsed)
        .filter((k) => k !== '__metadata__')
        .sort(),
    ).toEqual(model.tensors.map((t) => t.name).sort());

    expect(JSON.parse(readFileSync(sidecarPath(dir, 40), 'utf8'))).toMatchObject({ setting: 's', iteration: 40, seed: 5, backend: 'wasm', test_loss: 1.5, test_accuracy: 0.25 });
  });

  it('round-trips through the reader back to the same tfjs-layout weights', async () => {
    const model = buildModel('lenet_300_100', [28, 28, 1], 10);
    const weights = initialWeights(model, 9);
    await writeCheckpoint(dir, model, weights, { setting: 's', iteration: 0, seed: 9, backend: 'cpu', test_loss: 2.3, test_accuracy: 0.1 });
    const back = await readCheckpoint(dir, 0, model);
    for (const [name, data] of weights) expect(Buffer.from(back.get(name)!.buffer).equals(Buffer.from(data.buffer))).toBe(true);
  });

  it('names the file and the problem when a checkpoint is truncated or belongs to another model', async () => {
    const bad = join(dir, 'truncated.safetensors');
    writeFileSync(bad, readFileSync(checkpointPath(dir, 0)).subarray(0, 1000));
    await expect(readSafetensors(bad)).rejects.toMatchObject({ reason: 'checkpoint-corrupt', message: expect.stringContaining('truncated.safetensors') });
    await expect(readCheckpoint(dir, 40, buildModel('lenet_300_100', [28, 28, 1], 10))).rejects.toMatchObject({
      reason: 'checkpoint-mismatch',
      message: expect.stringContaining('fc1.weight'),
    });
  });
});
