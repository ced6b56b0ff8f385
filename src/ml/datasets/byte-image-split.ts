// A split held as compact uint8 pixels and labels, normalized (and optionally augmented) one batch at a time.
import type { Batch, Split } from './dataset.js';
import { byteTables, type Normalization } from './normalization.js';

export interface ByteImageSplitOptions {
  /** count × H × W × C bytes, each image contiguous, in `layout` order. */
  pixels: Uint8Array;
  labels: Uint8Array;
  shape: readonly [number, number, number];
  classes: number;
  layout: 'hwc' | 'chw';
  normalization: Normalization;
  /** The training augmentation applied when a batch asks for one; MNIST has none. */
  augmentation: 'none' | 'pad4-crop-flip';
}

const PAD = 4;

export class ByteImageSplit implements Split {
  readonly count: number;
  readonly shape: readonly [number, number, number];
  readonly classes: number;
  private readonly tables: Float32Array[];

  constructor(private readonly options: ByteImageSplitOptions) {
    const [h, w, c] = options.shape;
    this.count = options.labels.length;
    if (options.pixels.length !== this.count * h * w * c) {
      throw new RangeError(`pixels hold ${options.pixels.length} bytes, expected ${this.count}×${h}×${w}×${c}`);
    }
    this.shape = options.shape;
    this.classes = options.classes;
    this.tables = byteTables(options.normalization);
  }

  async batch(indices: ArrayLike<number>, options: { augment?: boolean; random?: () => number } = {}): Promise<Batch> {
    const [h, w, c] = this.shape;
    const size = h * w * c;
    const n = indices.length;
    const x = new Float32Array(n * size);
    const y = new Int32Array(n);
    const augment = options.augment === true && this.options.augmentation === 'pad4-crop-flip';
    const random = options.random ?? Math.random;
    const { pixels, labels, layout } = this.options;
    const tables = this.tables;
    for (let b = 0; b < n; b++) {
      const index = indices[b]!;
      if (!Number.isInteger(index) || index < 0 || index >= this.count) {
        throw new RangeError(`example index ${index} is outside 0..${this.count - 1}`);
      }
      y[b] = labels[index]!;
      const src = index * size;
      const dst = b * size;
      // Crop offsets in the zero-padded image and the flip, drawn in this order from `random`.
      const dy = augment ? Math.floor(random() * (2 * PAD + 1)) - PAD : 0;
      const dx = augment ? Math.floor(random() * (2 * PAD + 1)) - PAD : 0;
      const flip = augment && random() < 0.5;
      for (let row = 0; row < h; row++) {
        const sy = row + dy;
        for (let col = 0; col < w; col++) {
          const sx = (flip ? w - 1 - col : col) + dx;
          const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
          const out = dst + (row * w + col) * c;
          for (let ch = 0; ch < c; ch++) {
            // Padding is raw black (0) before normalization, as torchvision's RandomCrop(padding=4) does.
            const raw = !inside ? 0 : layout === 'hwc' ? pixels[src + (sy * w + sx) * c + ch]! : pixels[src + (ch * h + sy) * w + sx]!;
            x[out + ch] = tables[ch]![raw]!;
          }
        }
      }
    }
    return { x, y, n };
  }
}
