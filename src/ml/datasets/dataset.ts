// The dataset interface every stage codes against (splits that hand out normalized NHWC batches by index), and openDataset.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openCifarSplit } from './cifar10.js';
import { DataError } from './errors.js';
import { IMAGENET_INDEX, JpegFolderSplit, parseImageIndex } from './imagenet.js';
import { readManifest, type DatasetManifest } from './manifest.js';
import { openMnistSplit } from './mnist.js';

export interface Batch {
  x: Float32Array; // NHWC, already normalized
  y: Int32Array;
  n: number;
}

export interface Split {
  readonly count: number;
  readonly shape: readonly [number, number, number]; // [H, W, C]
  readonly classes: number;
  batch(indices: ArrayLike<number>, options?: { augment?: boolean; random?: () => number }): Promise<Batch>;
}

export interface Dataset {
  name: string;
  train: Split;
  test: Split;
}

/** Opens the output directory of the fetch-data stage (reads dir/dataset.json). */
export async function openDataset(dir: string): Promise<Dataset> {
  const manifest = await readManifest(dir);
  const [train, test] = await Promise.all([openSplit(dir, manifest, 'train'), openSplit(dir, manifest, 'test')]);
  for (const [split, opened] of [['train', train], ['test', test]] as const) {
    if (opened.count !== manifest[split]) {
      throw new DataError('dataset-corrupt', `${path.join(dir, 'dataset.json')}: says ${manifest[split]} ${split} examples, the files hold ${opened.count}`);
    }
  }
  return { name: manifest.name, train, test };
}

async function openSplit(dir: string, manifest: DatasetManifest, split: 'train' | 'test'): Promise<Split> {
  switch (manifest.name) {
    case 'mnist':
      return openMnistSplit(dir, split);
    case 'cifar10':
      return openCifarSplit(dir, split);
    case 'imagenet': {
      const indexFile = path.join(dir, IMAGENET_INDEX[split]);
      let text: string;
      try {
        text = await readFile(indexFile, 'utf8');
      } catch (cause) {
        throw new DataError('dataset-missing', `${indexFile}: cannot read the image index`, { cause });
      }
      if (manifest.root === undefined) throw new DataError('dataset-corrupt', `${path.join(dir, 'dataset.json')}: ImageNet needs "root"`);
      return new JpegFolderSplit(manifest.root, parseImageIndex(text, indexFile, manifest.classes), manifest.classes, split === 'train');
    }
  }
}
