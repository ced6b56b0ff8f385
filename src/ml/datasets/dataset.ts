// The dataset interface every stage codes against (splits that hand out normalized NHWC batches by index), and openDataset.
import path from 'node:path';
import { DataError } from './errors.js';
import { readManifest, type DatasetManifest } from './manifest.js';
import { datasetSources } from './registry.js';

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

/**
 * Opens the output directory of the fetch-data stage (reads dir/dataset.json). Splits named in `defer` are read at their
 * first batch: a sweep that never touches the training set then does not read MNIST's 47 MB of training images.
 */
export async function openDataset(dir: string, options: { defer?: readonly ('train' | 'test')[] } = {}): Promise<Dataset> {
  const manifest = await readManifest(dir);
  const open = (split: 'train' | 'test') => (options.defer?.includes(split) ? deferredSplit(dir, manifest, split) : checkedSplit(dir, manifest, split));
  const [train, test] = await Promise.all([open('train'), open('test')]);
  return { name: manifest.name, train, test };
}

async function checkedSplit(dir: string, manifest: DatasetManifest, split: 'train' | 'test'): Promise<Split> {
  const opened = await openSplit(dir, manifest, split);
  if (opened.count !== manifest[split]) {
    throw new DataError('dataset-corrupt', `${path.join(dir, 'dataset.json')}: says ${manifest[split]} ${split} examples, the files hold ${opened.count}`);
  }
  return opened;
}

/** A split described by the manifest, whose files are opened (and checked) when the first batch is asked for. */
function deferredSplit(dir: string, manifest: DatasetManifest, split: 'train' | 'test'): Split {
  let opened: Promise<Split> | undefined;
  return {
    count: manifest[split],
    shape: manifest.shape,
    classes: manifest.classes,
    async batch(indices, batchOptions) {
      opened ??= checkedSplit(dir, manifest, split);
      return (await opened).batch(indices, batchOptions);
    },
  };
}

function openSplit(dir: string, manifest: DatasetManifest, split: 'train' | 'test'): Promise<Split> {
  return datasetSources[manifest.name].open(dir, manifest, split);
}
