// ImageNet from a local folder (train/ and val/ of class subfolders of JPEGs): writes the index of images; the JPEGs stay where they are.
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DataError } from '../errors.js';
import { formatImageIndex, IMAGENET_CLASS_LIST, IMAGENET_INDEX, IMAGENET_SIZE, type ImageEntry } from '../imagenet.js';
import type { DatasetManifest } from '../manifest.js';
import type { Staging } from './staging.js';

const JPEG = /\.jpe?g$/i;

export async function fetchImagenet(staging: Staging, from: string): Promise<DatasetManifest> {
  const root = path.resolve(from);
  const classes = await subfolders(path.join(root, 'train'));
  if (classes.length === 0) throw new DataError('dataset-missing', `${path.join(root, 'train')}: no class folders`);
  const labelOf = new Map(classes.map((name, i) => [name, i]));
  const train = await listImages(root, 'train', labelOf);
  const valClasses = await subfolders(path.join(root, 'val'));
  const unknown = valClasses.find((name) => !labelOf.has(name));
  if (unknown !== undefined) throw new DataError('dataset-corrupt', `${path.join(root, 'val', unknown)}: class not present in train/`);
  const val = await listImages(root, 'val', labelOf);
  for (const [split, list] of [
    ['train', train],
    ['val', val],
  ] as const) {
    if (list.length === 0) throw new DataError('dataset-missing', `${path.join(root, split)}: no JPEG files`);
  }
  await writeFile(staging.path(IMAGENET_INDEX.train), formatImageIndex(train));
  await writeFile(staging.path(IMAGENET_INDEX.test), formatImageIndex(val));
  await writeFile(staging.path(IMAGENET_CLASS_LIST), classes.map((c) => `${c}\n`).join(''));
  return {
    name: 'imagenet',
    train: train.length,
    test: val.length,
    shape: [IMAGENET_SIZE, IMAGENET_SIZE, 3],
    classes: classes.length,
    files: await staging.hashes(),
    root,
  };
}

async function subfolders(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new DataError('dataset-missing', `${dir}: cannot read (expected train/ and val/ folders of class subfolders)`, { cause });
  }
  const dirs = await Promise.all(names.map(async (name) => ((await stat(path.join(dir, name))).isDirectory() ? name : undefined)));
  return dirs.filter((name): name is string => name !== undefined).sort();
}

async function listImages(root: string, split: 'train' | 'val', labelOf: Map<string, number>): Promise<ImageEntry[]> {
  const entries: ImageEntry[] = [];
  for (const name of await subfolders(path.join(root, split))) {
    const files = (await readdir(path.join(root, split, name))).filter((f) => JPEG.test(f)).sort();
    for (const file of files) entries.push({ file: `${split}/${name}/${file}`, label: labelOf.get(name)! });
  }
  return entries;
}
