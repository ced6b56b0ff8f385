// checkpoints/it<N>.json: written in its fixed key order, read back, and a malformed one named with its field.
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readSidecar, sidecarPath, writeSidecar, type CheckpointSidecar } from '../../src/artifacts/checkpoint-sidecar.js';
import { artifactFailure, useScratchDir } from './helpers.js';

const scratch = useScratchDir();
const SIDECAR: CheckpointSidecar = { setting: 's', iteration: 40, seed: 5, backend: 'wasm', test_loss: 1.5, test_accuracy: 0.25, model: 'lenet_300_100' };

describe('checkpoint sidecar', () => {
  it('writes its fields in a fixed order with the model last, and reads them back', async () => {
    const { model, ...rest } = SIDECAR;
    await writeSidecar(scratch.dir, { model, ...rest });
    expect(await readFile(sidecarPath(scratch.dir, 40), 'utf8')).toBe(`${JSON.stringify(SIDECAR, null, 2)}\n`);
    expect(await readSidecar(scratch.dir, 40)).toEqual(SIDECAR);
  });

  it('names a missing sidecar', async () => {
    const error = await artifactFailure(readSidecar(scratch.dir, 3));
    expect(error.reason).toBe('missing-input');
    expect(error.message).toBe(`${sidecarPath(scratch.dir, 3)}: cannot read the checkpoint sidecar: file not found`);
  });

  it('names the wrong field, and an iteration that is not the one in its name', async () => {
    await writeFile(sidecarPath(scratch.dir, 40), JSON.stringify({ ...SIDECAR, test_loss: 'high' }));
    expect((await artifactFailure(readSidecar(scratch.dir, 40))).message).toContain('(test_loss is "high", expected a number)');
    await writeFile(sidecarPath(scratch.dir, 40), JSON.stringify({ ...SIDECAR, iteration: 41 }));
    expect((await artifactFailure(readSidecar(scratch.dir, 40))).message).toContain('(iteration is 41, but the file is named for 40)');
  });
});
