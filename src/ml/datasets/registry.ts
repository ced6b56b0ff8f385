// The datasets linpath knows, by the name recipes and dataset.json use: how each is fetched and how a fetched one is opened.
import type { Split } from './dataset.js';
import type { Staging } from './fetch/staging.js';
import type { DatasetManifest, DatasetName } from './manifest.js';

export interface FetchOptions {
  /** A local copy: MNIST IDX folder, CIFAR-10 .tar.gz or extracted folder, ImageNet root. */
  from?: string;
  /** CIFAR-10's download, checked by MD5, kept in cacheDir. */
  url: string;
  md5: string;
  cacheDir: string;
  log: (line: string) => void;
}

export interface DatasetSource {
  /** Why a fetch cannot proceed without options.from, if it cannot. */
  needsFrom?: string;
  /** Writes the dataset in its real on-disk format into the staging dir and says what it wrote. */
  fetch(staging: Staging, options: FetchOptions): Promise<DatasetManifest>;
  /** Opens one split of a fetched dataset (the fetch stage's output dir). */
  open(dir: string, manifest: DatasetManifest, split: 'train' | 'test'): Promise<Split>;
}

// Each entry imports its code when used: a sweep that opens MNIST does not load tar, the downloader or sharp.
export const datasetSources: Record<DatasetName, DatasetSource> = {
  mnist: {
    fetch: async (staging, options) => (await import('./fetch/fetch-mnist.js')).fetchMnist(staging, options.from),
    open: async (dir, _manifest, split) => (await import('./mnist.js')).openMnistSplit(dir, split),
  },
  cifar10: {
    fetch: async (staging, options) => (await import('./fetch/fetch-cifar10.js')).fetchCifar10(staging, options),
    open: async (dir, _manifest, split) => (await import('./cifar10.js')).openCifarSplit(dir, split),
  },
  imagenet: {
    needsFrom: '--dataset imagenet needs --from DIR (train/ and val/ folders)',
    fetch: async (staging, options) => (await import('./fetch/fetch-imagenet.js')).fetchImagenet(staging, options.from!),
    open: async (dir, manifest, split) => (await import('./imagenet.js')).openImagenetSplit(dir, manifest, split),
  },
};
