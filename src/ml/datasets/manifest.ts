// dataset.json: what fetch-data wrote (docs/outputs.md), read back by openDataset.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DataError } from './errors.js';

export type DatasetName = 'mnist' | 'cifar10' | 'imagenet';
export const DATASET_NAMES: readonly DatasetName[] = ['mnist', 'cifar10', 'imagenet'];

export interface DatasetManifest {
  name: DatasetName;
  train: number;
  test: number;
  shape: [number, number, number];
  classes: number;
  /** Every file of the dataset in this directory, with its SHA-256. */
  files: Record<string, string>;
  /** ImageNet only: absolute directory the JPEG paths of train.tsv/val.tsv are relative to. */
  root?: string;
}

export const MANIFEST_FILE = 'dataset.json';

export async function readManifest(dir: string): Promise<DatasetManifest> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new DataError('dataset-missing', `${file}: cannot read the dataset manifest (run the fetch-data stage first)`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DataError('dataset-corrupt', `${file}: not valid JSON`, { cause });
  }
  const m = value as Partial<DatasetManifest>;
  const okShape = Array.isArray(m.shape) && m.shape.length === 3 && m.shape.every((d) => Number.isInteger(d) && d > 0);
  if (
    !m || typeof m !== 'object' ||
    !DATASET_NAMES.includes(m.name as DatasetName) ||
    !Number.isInteger(m.train) || !Number.isInteger(m.test) || !Number.isInteger(m.classes) ||
    !okShape || typeof m.files !== 'object' || m.files === null
  ) {
    throw new DataError('dataset-corrupt', `${file}: expected { name: mnist|cifar10|imagenet, train, test, shape: [H,W,C], classes, files }`);
  }
  return m as DatasetManifest;
}
