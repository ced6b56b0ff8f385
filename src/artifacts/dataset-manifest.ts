// dataset.json: what fetch-data wrote beside the dataset's own files, read back by every stage that opens the data.
import { join } from 'node:path';
import { asObject, corrupt, objectField, stringField, type Where } from './fields.js';
import { readJsonFile, writeJsonFile } from './json-file.js';

export type DatasetName = 'mnist' | 'cifar10' | 'imagenet';
export const DATASET_NAMES: readonly DatasetName[] = ['mnist', 'cifar10', 'imagenet'];

export interface DatasetManifest {
  name: DatasetName;
  train: number;
  test: number;
  /** [height, width, channels] of one example. */
  shape: [number, number, number];
  classes: number;
  /** Every file of the dataset in this directory, with its SHA-256. */
  files: Record<string, string>;
  /** ImageNet only: absolute directory the JPEG paths of train.tsv/val.tsv are relative to. */
  root?: string;
}

export const MANIFEST_FILE = 'dataset.json';

/** Writes `dir`/dataset.json; fetch-data writes it last, so it exists only beside a whole dataset. */
export async function writeDatasetManifest(dir: string, m: DatasetManifest): Promise<void> {
  const ordered = { name: m.name, train: m.train, test: m.test, shape: m.shape, classes: m.classes, files: m.files, ...(m.root === undefined ? {} : { root: m.root }) };
  await writeJsonFile(join(dir, MANIFEST_FILE), ordered);
}

export async function readDatasetManifest(dir: string): Promise<DatasetManifest> {
  const file = join(dir, MANIFEST_FILE);
  const where: Where = { file, shape: '{ name: mnist|cifar10|imagenet, train, test, shape: [H,W,C], classes, files }' };
  const m = asObject(await readJsonFile(file, { what: 'the dataset manifest', hint: 'run the fetch-data stage first' }), where);
  const name = stringField(m, 'name', where) as DatasetName;
  if (!DATASET_NAMES.includes(name)) throw corrupt(where, 'name', `is ${JSON.stringify(name)}, expected one of ${DATASET_NAMES.join(', ')}`);
  for (const key of ['train', 'test', 'classes'] as const) {
    if (!Number.isInteger(m[key]) || (m[key] as number) < 0) throw corrupt(where, key, `is ${JSON.stringify(m[key]) ?? 'missing'}, expected a count`);
  }
  const shape = m.shape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw corrupt(where, 'shape', `is ${JSON.stringify(shape) ?? 'missing'}, expected [height, width, channels] of positive integers`);
  }
  const files = objectField(m, 'files', where);
  for (const key of Object.keys(files)) stringField(files, key, where, 'files');
  if (m.root !== undefined) stringField(m, 'root', where);
  return m as unknown as DatasetManifest;
}
