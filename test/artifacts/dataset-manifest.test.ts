// dataset.json: written in its fixed key order, read back, and a malformed one named with its field.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDatasetManifest, writeDatasetManifest, type DatasetManifest } from '../../src/artifacts/dataset-manifest.js';
import { artifactFailure, useScratchDir } from './helpers.js';

const scratch = useScratchDir();
const MNIST: DatasetManifest = { name: 'mnist', train: 60000, test: 10000, shape: [28, 28, 1], classes: 10, files: { 'a-idx3-ubyte': 'ab12' } };

describe('dataset.json', () => {
  it('writes name, train, test, shape, classes, files (and root) in that order, and reads them back', async () => {
    await writeDatasetManifest(scratch.dir, { files: MNIST.files, root: '/data', classes: 10, shape: [28, 28, 1], test: 10000, train: 60000, name: 'imagenet' });
    const text = await readFile(join(scratch.dir, 'dataset.json'), 'utf8');
    expect(Object.keys(JSON.parse(text))).toEqual(['name', 'train', 'test', 'shape', 'classes', 'files', 'root']);
    await writeDatasetManifest(scratch.dir, MNIST);
    expect(await readDatasetManifest(scratch.dir)).toEqual(MNIST);
  });

  it('a missing manifest says to run fetch-data', async () => {
    const error = await artifactFailure(readDatasetManifest(scratch.dir));
    expect(error.reason).toBe('missing-input');
    expect(error.message).toBe(`${join(scratch.dir, 'dataset.json')}: cannot read the dataset manifest: file not found (run the fetch-data stage first)`);
  });

  it.each([
    [{ name: 'svhn' }, 'name is "svhn", expected one of mnist, cifar10, imagenet'],
    [{ test: -1 }, 'test is -1, expected a count'],
    [{ shape: [28, 28] }, 'shape is [28,28], expected [height, width, channels]'],
    [{ files: { a: 3 } }, 'files.a is 3, expected a string'],
    [{ classes: undefined }, 'classes is missing, expected a count'],
  ])('names the wrong field of %j', async (change, problem) => {
    await writeFile(join(scratch.dir, 'dataset.json'), JSON.stringify({ ...MNIST, ...change }));
    const error = await artifactFailure(readDatasetManifest(scratch.dir));
    expect(error.reason).toBe('corrupt-input');
    expect(error.file).toBe(join(scratch.dir, 'dataset.json'));
    expect(error.message).toContain(`${join(scratch.dir, 'dataset.json')}: expected { name: mnist|cifar10|imagenet`);
    expect(error.message).toContain(problem);
  });
});
