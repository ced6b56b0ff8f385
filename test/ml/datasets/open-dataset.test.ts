// openDataset on directories laid out as fetch-data writes them: MNIST IDX files and CIFAR-10 records.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDataset } from '../../../src/ml/datasets/dataset.js';
import { pixelByte, writeCifarFolder, writeMnistIdx } from './fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'linpath-open-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const manifest = (name: string, train: number, test: number, shape: number[]) => writeFile(path.join(dir, 'dataset.json'), JSON.stringify({ name, train, test, shape, classes: 10, files: {} }));

describe('openDataset', () => {
  it('opens MNIST IDX files and serves normalized batches', async () => {
    await writeMnistIdx(dir, 12, 5);
    await manifest('mnist', 12, 5, [28, 28, 1]);
    const data = await openDataset(dir);
    expect(data.name).toBe('mnist');
    expect([data.train.count, data.test.count, data.test.classes]).toEqual([12, 5, 10]);
    expect(data.test.shape).toEqual([28, 28, 1]);
    const batch = await data.test.batch([3]);
    expect(batch.y[0]).toBe(3);
    expect(batch.x[100]).toBeCloseTo((pixelByte(3, 100) / 255 - 0.1307) / 0.3081, 5);
  });

  it('opens CIFAR-10 batches, concatenating the five training files in order', async () => {
    await writeCifarFolder(dir, 4, 3);
    await manifest('cifar10', 20, 3, [32, 32, 3]);
    const data = await openDataset(dir);
    expect([data.train.count, data.test.count]).toEqual([20, 3]);
    const batch = await data.train.batch([9]);
    expect(batch.y[0]).toBe(9);
    // Record 9 is record 1 of data_batch_3; its green channel at (0, 0) is CHW position 1024. Normalized as open_lth
    // does, with the ImageNet constants.
    expect(batch.x[1]).toBeCloseTo((pixelByte(9, 1024) / 255 - 0.456) / 0.224, 5);
  });

  it('names the manifest when it disagrees with the files, or is missing', async () => {
    await writeMnistIdx(dir, 12, 5);
    await expect(openDataset(dir)).rejects.toThrow(/dataset\.json: cannot read the dataset manifest/);
    await manifest('mnist', 13, 5, [28, 28, 1]);
    await expect(openDataset(dir)).rejects.toThrow(/says 13 train examples, the files hold 12/);
  });

  it('reads a deferred split at its first batch, and checks it then', async () => {
    await writeMnistIdx(dir, 12, 5);
    await manifest('mnist', 13, 5, [28, 28, 1]);
    const data = await openDataset(dir, { defer: ['train'] });
    expect([data.train.count, data.train.classes, data.train.shape]).toEqual([13, 10, [28, 28, 1]]);
    expect((await data.test.batch([2])).y[0]).toBe(2);
    await expect(data.train.batch([0])).rejects.toThrow(/says 13 train examples, the files hold 12/);
    await rm(path.join(dir, 'dataset.json'));
    await manifest('mnist', 12, 5, [28, 28, 1]);
    expect((await (await openDataset(dir, { defer: ['train'] })).train.batch([7])).y[0]).toBe(7);
  });
});
