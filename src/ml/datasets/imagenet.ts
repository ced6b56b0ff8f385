// ImageNet as folders of JPEGs, listed by an index and decoded lazily one batch at a time.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import jpeg from 'jpeg-js';
import type { Batch, Split } from './dataset.js';
import { DataError } from './errors.js';
import { IMAGENET_NORMALIZATION } from './normalization.js';
import { centerCropRegion, randomResizedCropRegion, sampleBilinear, type Region } from './image-geometry.js';

export const IMAGENET_SIZE = 224;
export const IMAGENET_RESIZE = 256;
export const IMAGENET_INDEX = { train: 'train.tsv', test: 'val.tsv' } as const;
export const IMAGENET_CLASS_LIST = 'classes.txt';

export interface ImageEntry {
  file: string;
  label: number;
}

/** Parses an index written by fetch-data: one `relative/path<TAB>label` line per image. */
export function parseImageIndex(text: string, where: string, classes: number): ImageEntry[] {
  const entries: ImageEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const tab = line.lastIndexOf('\t');
    const label = Number(line.slice(tab + 1));
    if (tab <= 0 || !Number.isInteger(label) || label < 0 || label >= classes) {
      throw new DataError('dataset-corrupt', `${where}:${i + 1}: expected "path<TAB>label" with a label in 0..${classes - 1}`);
    }
    entries.push({ file: line.slice(0, tab), label });
  });
  return entries;
}

export function formatImageIndex(entries: readonly ImageEntry[]): string {
  return entries.map((e) => `${e.file}\t${e.label}\n`).join('');
}

export class JpegFolderSplit implements Split {
  readonly count: number;
  readonly shape = [IMAGENET_SIZE, IMAGENET_SIZE, 3] as const;

  constructor(
    private readonly root: string,
    private readonly entries: readonly ImageEntry[],
    readonly classes: number,
    private readonly training: boolean,
  ) {
    this.count = entries.length;
  }

  async batch(indices: ArrayLike<number>, options: { augment?: boolean; random?: () => number } = {}): Promise<Batch> {
    const n = indices.length;
    const size = IMAGENET_SIZE * IMAGENET_SIZE * 3;
    const x = new Float32Array(n * size);
    const y = new Int32Array(n);
    const random = options.random ?? Math.random;
    const picked = Array.from({ length: n }, (_, b) => {
      const index = indices[b]!;
      const entry = this.entries[index];
      if (!Number.isInteger(index) || entry === undefined) throw new RangeError(`example index ${index} is outside 0..${this.count - 1}`);
      return entry;
    });
    // Reads overlap; decoding is synchronous, so it runs in index order and consumes `random` deterministically.
    const files = await Promise.all(picked.map((entry) => readFile(path.join(this.root, entry.file)).catch((cause: unknown) => {
      throw new DataError('dataset-missing', `${path.join(this.root, entry.file)}: cannot read`, { cause });
    })));
    for (let b = 0; b < n; b++) {
      const where = path.join(this.root, picked[b]!.file);
      const image = decodeJpeg(files[b]!, where);
      const augment = this.training && options.augment === true;
      const region: Region = augment
        ? randomResizedCropRegion(image.width, image.height, random)
        : centerCropRegion(image.width, image.height, IMAGENET_RESIZE, IMAGENET_SIZE);
      const flip = augment && random() < 0.5;
      sampleBilinear(image, region, IMAGENET_SIZE, flip, IMAGENET_NORMALIZATION, x.subarray(b * size, (b + 1) * size));
      y[b] = picked[b]!.label;
    }
    return { x, y, n };
  }
}

export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

function decodeJpeg(bytes: Uint8Array, where: string): RgbaImage {
  try {
    const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
    return { width: decoded.width, height: decoded.height, data: decoded.data };
  } catch (cause) {
    throw new DataError('image-decode', `${where}: cannot decode JPEG (${(cause as Error).message})`, { cause });
  }
}
