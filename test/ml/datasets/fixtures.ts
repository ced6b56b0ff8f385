// Small datasets written in the real on-disk formats (IDX, CIFAR-10 binary records, JPEG folders) for tests.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { writeDatasetManifest } from '../../../src/artifacts/dataset-manifest.js';
import { encodeIdx } from '../../../src/ml/datasets/idx.js';
import { CIFAR10_RECORD } from '../../../src/ml/datasets/cifar10.js';

/** A deterministic byte pattern so tests can predict any pixel: image i, flat position p. */
export function pixelByte(i: number, p: number): number {
  return (i * 31 + p * 7) % 256;
}

export function mnistArrays(count: number): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    for (let p = 0; p < 784; p++) images[i * 784 + p] = pixelByte(i, p);
  }
  return { images, labels };
}

/** Writes the four MNIST IDX files with `train` and `test` examples into dir; returns the file names. */
export async function writeMnistIdx(dir: string, train: number, test: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [prefix, count] of [
    ['train', train],
    ['t10k', test],
  ] as const) {
    const { images, labels } = mnistArrays(count);
    await writeFile(path.join(dir, `${prefix}-images-idx3-ubyte`), encodeIdx([count, 28, 28], images));
    await writeFile(path.join(dir, `${prefix}-labels-idx1-ubyte`), encodeIdx([count], labels));
    written.push(`${prefix}-images-idx3-ubyte`, `${prefix}-labels-idx1-ubyte`);
  }
  return written;
}

/** A fetch-data style MNIST output: the IDX files and its dataset.json, as the train and sweep stages read them. */
export async function writeMnistDataset(dir: string, train: number, test: number): Promise<void> {
  await writeMnistIdx(dir, train, test);
  await writeDatasetManifest(dir, { name: 'mnist', train, test, shape: [28, 28, 1], classes: 10, files: {} });
}

/** `count` CIFAR-10 binary records; record i has label (i + offset) % 10 and CHW pixels pixelByte(i + offset, p). */
export function cifarRecords(count: number, offset = 0): Uint8Array {
  const bytes = new Uint8Array(count * CIFAR10_RECORD);
  for (let i = 0; i < count; i++) {
    bytes[i * CIFAR10_RECORD] = (i + offset) % 10;
    for (let p = 0; p < 3072; p++) bytes[i * CIFAR10_RECORD + 1 + p] = pixelByte(i + offset, p);
  }
  return bytes;
}

/** A cifar-10-batches-bin folder with `perBatch` records in each of the five training batches and `test` test records. */
export async function writeCifarFolder(dir: string, perBatch: number, test: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let b = 1; b <= 5; b++) await writeFile(path.join(dir, `data_batch_${b}.bin`), cifarRecords(perBatch, (b - 1) * perBatch));
  await writeFile(path.join(dir, 'test_batch.bin'), cifarRecords(test, 1000));
  await writeFile(path.join(dir, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n');
}

/** A solid-colour JPEG of the given size. */
export function solidJpeg(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) data.set([...rgb, 255], p * 4);
  return new Uint8Array(jpeg.encode({ data, width, height }, 95).data);
}

/** An ImageNet-style folder: root/{train,val}/<class>/<n>.JPEG. */
export async function writeJpegFolders(root: string, classes: string[], perClass: { train: number; val: number }): Promise<void> {
  for (const [split, count] of [
    ['train', perClass.train],
    ['val', perClass.val],
  ] as const) {
    for (const [c, name] of classes.entries()) {
      const dir = path.join(root, split, name);
      await mkdir(dir, { recursive: true });
      for (let i = 0; i < count; i++) {
        await writeFile(path.join(dir, `${name}_${i}.JPEG`), solidJpeg(40 + 8 * i, 30 + 4 * c, [40 * c, 100, 200 - 20 * i]));
      }
    }
  }
}
