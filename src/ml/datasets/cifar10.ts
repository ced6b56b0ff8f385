// CIFAR-10's binary version: records of 1 label byte + 3072 pixel bytes (R, G, B planes of 32×32).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ByteImageSplit } from './byte-image-split.js';
import { DataError } from './errors.js';
import { CIFAR10_NORMALIZATION } from './normalization.js';

export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
/** The directory inside the canonical tarball. */
export const CIFAR10_ARCHIVE_DIR = 'cifar-10-batches-bin';
export const CIFAR10_FILES = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
} as const;
export const CIFAR10_META = 'batches.meta.txt';
export const CIFAR10_SHAPE = [32, 32, 3] as const;
export const CIFAR10_CLASSES = 10;
export const CIFAR10_RECORD = 1 + 32 * 32 * 3;

export interface CifarArrays {
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** Splits binary records into CHW pixels and labels, checking record length and label range. */
export function parseCifarRecords(bytes: Uint8Array, where: string): CifarArrays {
  if (bytes.byteLength === 0 || bytes.byteLength % CIFAR10_RECORD !== 0) {
    throw new DataError('dataset-corrupt', `${where}: ${bytes.byteLength} bytes is not a whole number of ${CIFAR10_RECORD}-byte CIFAR-10 records`);
  }
  const count = bytes.byteLength / CIFAR10_RECORD;
  const size = CIFAR10_RECORD - 1;
  const pixels = new Uint8Array(count * size);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * CIFAR10_RECORD;
    const label = bytes[at]!;
    if (label >= CIFAR10_CLASSES) throw new DataError('dataset-corrupt', `${where}: record ${i} has label ${label}, expected 0..9`);
    labels[i] = label;
    pixels.set(bytes.subarray(at + 1, at + CIFAR10_RECORD), i * size);
  }
  return { pixels, labels };
}

export async function readCifarSplit(dir: string, split: 'train' | 'test'): Promise<CifarArrays> {
  const parts: CifarArrays[] = [];
  for (const name of CIFAR10_FILES[split]) {
    const file = path.join(dir, name);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (cause) {
      throw new DataError('dataset-missing', `${file}: cannot read`, { cause });
    }
    parts.push(parseCifarRecords(bytes, file));
  }
  return concat(parts);
}

export async function openCifarSplit(dir: string, split: 'train' | 'test'): Promise<ByteImageSplit> {
  const { pixels, labels } = await readCifarSplit(dir, split);
  return new ByteImageSplit({
    pixels,
    labels,
    shape: CIFAR10_SHAPE,
    classes: CIFAR10_CLASSES,
    layout: 'chw',
    normalization: CIFAR10_NORMALIZATION,
    augmentation: 'pad4-crop-flip',
  });
}

function concat(parts: CifarArrays[]): CifarArrays {
  if (parts.length === 1) return parts[0]!;
  const pixels = new Uint8Array(parts.reduce((s, p) => s + p.pixels.length, 0));
  const labels = new Uint8Array(parts.reduce((s, p) => s + p.labels.length, 0));
  let pAt = 0;
  let lAt = 0;
  for (const part of parts) {
    pixels.set(part.pixels, pAt);
    labels.set(part.labels, lAt);
    pAt += part.pixels.length;
    lAt += part.labels.length;
  }
  return { pixels, labels };
}
