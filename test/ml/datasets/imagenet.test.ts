// JPEG folder batches: evaluation crop, training crop and flip, determinism and decode errors.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JpegFolderSplit } from '../../../src/ml/datasets/imagenet.js';

let root: string;
const W = 300;
const H = 200;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'linpath-jpeg-'));
  // Red grows with the column, blue with the row; green is constant.
  const data = new Uint8Array(W * H * 4);
  for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) data.set([Math.round((c * 255) / (W - 1)), 128, Math.round((r * 255) / (H - 1)), 255], (r * W + c) * 4);
  await writeFile(path.join(root, 'ramp.JPEG'), jpeg.encode({ data, width: W, height: H }, 95).data);
  await writeFile(path.join(root, 'broken.JPEG'), 'not a jpeg at all');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const red = (x: Float32Array, row: number, col: number) => (x[(row * 224 + col) * 3]! * 0.229 + 0.485) * 255;

describe('JpegFolderSplit', () => {
  const split = (training: boolean) =>
    new JpegFolderSplit(
      root,
      [
        { file: 'ramp.JPEG', label: 7 },
        { file: 'broken.JPEG', label: 1 },
      ],
      10,
      training,
    );

  it('evaluates on the centre 224 window of the image resized to 256 rows', async () => {
    const { x, y, n } = await split(false).batch([0]);
    expect([n, y[0], x.length]).toEqual([1, 7, 224 * 224 * 3]);
    // 300×200 → 384×256; the window starts at column 80, i.e. source column 80·300/384 = 62.5 → red ≈ 53.
    expect(red(x, 112, 0)).toBeCloseTo((62.5 * 255) / 299, -1);
    expect(red(x, 112, 223)).toBeCloseTo(((80 + 223.5) * (300 / 384) * 255) / 299, -1);
    expect(x[(112 * 224 + 100) * 3 + 1]! * 0.224 + 0.456).toBeCloseTo(128 / 255, 1);
  });

  it('crops and mirrors for training, the same way for the same random stream', async () => {
    const constant = () => 0.3; // crop columns 47..188 (see image-geometry.test.ts), flipped since 0.3 < ½
    const a = await split(true).batch([0], { augment: true, random: constant });
    const b = await split(true).batch([0], { augment: true, random: constant });
    expect(a.x).toEqual(b.x);
    expect(red(a.x, 100, 0)).toBeGreaterThan(red(a.x, 100, 223)); // mirrored ramp
    expect(red(a.x, 100, 0)).toBeCloseTo((188.5 * 255) / 299, -1);
    expect(red(a.x, 100, 223)).toBeCloseTo((47.5 * 255) / 299, -1);
    const evaluation = await split(true).batch([0]);
    expect(red(evaluation.x, 100, 0)).toBeLessThan(red(evaluation.x, 100, 223));
  });

  it('names a file that does not decode', async () => {
    await expect(split(false).batch([1])).rejects.toThrow(/broken\.JPEG: cannot decode the image/);
  });
});
