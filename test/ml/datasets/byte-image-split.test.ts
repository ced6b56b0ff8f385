// Batches from uint8 splits: normalization, CHW→HWC layout, and the CIFAR crop/flip augmentation.
import { describe, expect, it } from 'vitest';
import { ByteImageSplit } from '../../../src/ml/datasets/byte-image-split.js';
import { CIFAR10_NORMALIZATION, MNIST_NORMALIZATION } from '../../../src/ml/datasets/normalization.js';

function cifarLike(count: number): { split: ByteImageSplit; pixels: Uint8Array } {
  const pixels = Uint8Array.from({ length: count * 3 * 32 * 32 }, (_, i) => (i * 13 + 5) % 251);
  const labels = Uint8Array.from({ length: count }, (_, i) => (i * 3) % 10);
  const split = new ByteImageSplit({
    pixels,
    labels,
    shape: [32, 32, 3],
    classes: 10,
    layout: 'chw',
    normalization: CIFAR10_NORMALIZATION,
    augmentation: 'pad4-crop-flip',
  });
  return { split, pixels };
}

const norm = (raw: number, c: number) => (raw / 255 - CIFAR10_NORMALIZATION.mean[c]!) / CIFAR10_NORMALIZATION.std[c]!;
const chw = (pixels: Uint8Array, i: number, c: number, y: number, x: number) => pixels[i * 3072 + c * 1024 + y * 32 + x]!;

describe('ByteImageSplit', () => {
  it('normalizes MNIST bytes with mean 0.1307 and std 0.3081', async () => {
    const pixels = new Uint8Array(2 * 784);
    pixels[784 + 5] = 255;
    const split = new ByteImageSplit({
      pixels,
      labels: Uint8Array.from([7, 3]),
      shape: [28, 28, 1],
      classes: 10,
      layout: 'hwc',
      normalization: MNIST_NORMALIZATION,
      augmentation: 'none',
    });
    const batch = await split.batch([1, 0]);
    expect(batch.n).toBe(2);
    expect(Array.from(batch.y)).toEqual([3, 7]);
    expect(batch.x.length).toBe(2 * 784);
    expect(batch.x[5]).toBeCloseTo((1 - 0.1307) / 0.3081, 6);
    expect(batch.x[0]).toBeCloseTo(-0.1307 / 0.3081, 6);
  });

  it('turns CHW records into normalized NHWC', async () => {
    const { split, pixels } = cifarLike(3);
    const batch = await split.batch([2]);
    for (const [y, x, c] of [
      [0, 0, 0],
      [5, 17, 1],
      [31, 31, 2],
    ] as const) {
      expect(batch.x[(y * 32 + x) * 3 + c]).toBeCloseTo(norm(chw(pixels, 2, c, y, x), c), 5);
    }
    expect(batch.y[0]).toBe(6);
  });

  it('augments by a zero-padded shift and a mirror, as the random numbers dictate', async () => {
    const { split, pixels } = cifarLike(1);
    // Offsets floor(u·9) − 4: u = 0 → −4 (rows), u = 8.5/9 → +4 (cols); flip when u < 0.5.
    const draws = [0, 8.5 / 9, 0.1];
    const batch = await split.batch([0], { augment: true, random: () => draws.shift()! });
    const at = (y: number, x: number, c: number) => batch.x[(y * 32 + x) * 3 + c]!;
    // Output (y, x) shows source row y − 4 and column (31 − x) + 4.
    expect(at(10, 10, 1)).toBeCloseTo(norm(chw(pixels, 0, 1, 6, 25), 1), 5);
    expect(at(2, 10, 0)).toBeCloseTo(norm(0, 0), 5); // padding above
    expect(at(10, 1, 2)).toBeCloseTo(norm(0, 2), 5); // padding beyond the mirrored right edge
    const plain = await split.batch([0]);
    expect(plain.x).not.toEqual(batch.x);
  });

  it('is deterministic for a given random stream and rejects bad indices', async () => {
    const { split } = cifarLike(4);
    const stream = () => {
      let s = 1;
      return () => (s = (s * 16807) % 2147483647) / 2147483647;
    };
    const a = await split.batch([0, 1, 2, 3], { augment: true, random: stream() });
    const b = await split.batch([0, 1, 2, 3], { augment: true, random: stream() });
    expect(a.x).toEqual(b.x);
    await expect(split.batch([4])).rejects.toThrow(/index 4 is outside 0\.\.3/);
  });
});
