// ImageNet as folders of JPEGs, listed by an index and decoded lazily, one batch at a time, with libvips (sharp).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sharp } from 'sharp';
import type { Batch, Split } from './dataset.js';
import { DataError } from './errors.js';
import type { DatasetManifest } from './manifest.js';
import { randomResizedCropRegion, resizeThenCenterCrop, type Region } from './image-geometry.js';
import { byteTables, IMAGENET_NORMALIZATION } from './normalization.js';

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

const tables = byteTables(IMAGENET_NORMALIZATION);

/** sharp (libvips) is loaded on the first ImageNet batch only: MNIST and CIFAR runs never pay for it or need its binary. */
let sharpModule: Promise<(input: Buffer, options?: { failOn?: 'error' }) => Sharp> | undefined;
function loadSharp() {
  sharpModule ??= import('sharp').then(
    (m) => m.default,
    (cause: unknown) => {
      sharpModule = undefined;
      throw new DataError('image-decode', `cannot load sharp, the JPEG decoder (${(cause as Error).message}); reinstall with npm install`, { cause });
    },
  );
  return sharpModule;
}

/** Training: RandomResizedCrop(224) + horizontal flip when augmenting; evaluation: Resize(256) + CenterCrop(224). */
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
    const augment = this.training && options.augment === true;
    const random = options.random ?? Math.random;
    const picked = Array.from({ length: n }, (_, b) => {
      const index = indices[b]!;
      const entry = this.entries[index];
      if (!Number.isInteger(index) || entry === undefined) throw new RangeError(`example index ${index} is outside 0..${this.count - 1}`);
      return { ...entry, where: path.join(this.root, entry.file) };
    });
    const sharp = await loadSharp();
    const images = await Promise.all(
      picked.map(async ({ where }) => {
        const bytes = await readFile(where).catch((cause: unknown) => {
          throw new DataError('dataset-missing', `${where}: cannot read`, { cause });
        });
        const meta = await sharp(bytes)
          .metadata()
          .catch((cause: unknown) => decodeError(where, cause));
        return { bytes, width: meta.width ?? 0, height: meta.height ?? 0 };
      }),
    );
    // Random numbers are drawn in index order, before the parallel decode, so a seed gives the same batch every time.
    const plans = images.map(({ width, height }) => {
      if (!augment) return { region: undefined, flip: false };
      const region = randomResizedCropRegion(width, height, random);
      return { region, flip: random() < 0.5 };
    });
    const x = new Float32Array(n * size);
    const y = new Int32Array(n);
    await Promise.all(
      picked.map(async (entry, b) => {
        const { bytes, width, height } = images[b]!;
        const pixels = await decodeTile(sharp(bytes, { failOn: 'error' }), width, height, plans[b]!.region, entry.where);
        writeNormalized(pixels, plans[b]!.flip, x.subarray(b * size, (b + 1) * size));
        y[b] = entry.label;
      }),
    );
    return { x, y, n };
  }
}

/** 224×224 RGB bytes: the region resized to fill the tile, or the evaluation resize + center crop. */
async function decodeTile(decoder: Sharp, width: number, height: number, region: Region | undefined, where: string): Promise<Uint8Array> {
  let image = decoder;
  if (region) {
    image = image.extract(region).resize(IMAGENET_SIZE, IMAGENET_SIZE, { fit: 'fill', kernel: 'linear' });
  } else {
    const plan = resizeThenCenterCrop(width, height, IMAGENET_RESIZE, IMAGENET_SIZE);
    image = image.resize(plan.width, plan.height, { fit: 'fill', kernel: 'linear' }).extract(plan.crop);
  }
  const { data, info } = await image
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch((cause: unknown) => decodeError(where, cause));
  if (info.channels !== 3 || info.width !== IMAGENET_SIZE || info.height !== IMAGENET_SIZE) {
    throw new DataError('image-decode', `${where}: decoded to ${info.width}×${info.height}×${info.channels}, expected ${IMAGENET_SIZE}×${IMAGENET_SIZE}×3`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function writeNormalized(pixels: Uint8Array, flip: boolean, out: Float32Array): void {
  const s = IMAGENET_SIZE;
  for (let row = 0; row < s; row++) {
    for (let col = 0; col < s; col++) {
      const src = (row * s + (flip ? s - 1 - col : col)) * 3;
      const dst = (row * s + col) * 3;
      for (let c = 0; c < 3; c++) out[dst + c] = tables[c]![pixels[src + c]!]!;
    }
  }
}

function decodeError(where: string, cause: unknown): never {
  throw new DataError('image-decode', `${where}: cannot decode the image (${(cause as Error).message})`, { cause });
}

/** Opens a split of a fetched ImageNet index: the JPEGs stay under the manifest's root. */
export async function openImagenetSplit(dir: string, manifest: DatasetManifest, split: 'train' | 'test'): Promise<JpegFolderSplit> {
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
