// The torchvision crop geometry, checked against values worked out by hand from torchvision's formulas.
import { describe, expect, it } from 'vitest';
import { randomResizedCropRegion, resizeThenCenterCrop } from '../../../src/ml/datasets/image-geometry.js';

describe('randomResizedCropRegion', () => {
  it('follows the first attempt that fits', () => {
    // u = 0.3: area 60000·(0.08 + 0.92·0.3) = 21360, aspect e^(ln¾ + 0.3·ln(16/9)) = 0.8913 → 138 × 155, offsets ⌊0.3·46⌋, ⌊0.3·163⌋.
    expect(randomResizedCropRegion(300, 200, () => 0.3)).toEqual({ top: 13, left: 48, height: 155, width: 138 });
  });

  it('falls back to the centred, ratio-clamped whole image when no attempt fits', () => {
    // u → 1: a near-whole-image crop at aspect 4/3 is 212 rows high, taller than 200, every time.
    expect(randomResizedCropRegion(300, 200, () => 0.999)).toEqual({ top: 0, left: 16, height: 200, width: 267 });
    expect(randomResizedCropRegion(100, 200, () => 0.999)).toEqual({ top: 33, left: 0, height: 133, width: 100 });
  });
});

describe('resizeThenCenterCrop', () => {
  it('resizes the shorter side to 256 (truncating the longer) and centres the 224 window', () => {
    expect(resizeThenCenterCrop(300, 200, 256, 224)).toEqual({ width: 384, height: 256, crop: { top: 16, left: 80, height: 224, width: 224 } });
    expect(resizeThenCenterCrop(333, 500, 256, 224)).toEqual({ width: 256, height: 384, crop: { top: 80, left: 16, height: 224, width: 224 } });
  });
});
