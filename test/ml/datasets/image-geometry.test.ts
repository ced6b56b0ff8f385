// The torchvision crop geometry with open_lth's ImageNet parameters, checked against values worked out from torchvision's formulas.
import { describe, expect, it } from 'vitest';
import { randomResizedCropRegion, resizeThenCenterCrop } from '../../../src/ml/datasets/image-geometry.js';

describe('randomResizedCropRegion', () => {
  it('follows the first attempt that fits', () => {
    // u = 0.3: area 60000·(0.1 + 0.9·0.3) = 22200, aspect e^(ln 0.8 + 0.3·ln(1.25/0.8)) = 0.9146 → 142 × 156, offsets ⌊0.3·45⌋, ⌊0.3·159⌋.
    expect(randomResizedCropRegion(300, 200, () => 0.3)).toEqual({ top: 13, left: 47, height: 156, width: 142 });
    // torchvision's own defaults (scale 0.08..1, ratio ¾..4/3): area 21360, aspect 0.8913 → 138 × 155.
    expect(randomResizedCropRegion(300, 200, () => 0.3, { scale: [0.08, 1], ratio: [3 / 4, 4 / 3] })).toEqual({ top: 13, left: 48, height: 155, width: 138 });
  });

  it('falls back to the centred, ratio-clamped whole image when no attempt fits', () => {
    // u → 1: a near-whole-image crop at aspect 1.25 is 219 rows high, taller than 200, every time.
    expect(randomResizedCropRegion(300, 200, () => 0.999)).toEqual({ top: 0, left: 25, height: 200, width: 250 });
    expect(randomResizedCropRegion(100, 200, () => 0.999)).toEqual({ top: 37, left: 0, height: 125, width: 100 });
  });
});

describe('resizeThenCenterCrop', () => {
  it('resizes the shorter side to 256 (truncating the longer) and centres the 224 window', () => {
    expect(resizeThenCenterCrop(300, 200, 256, 224)).toEqual({ width: 384, height: 256, crop: { top: 16, left: 80, height: 224, width: 224 } });
    expect(resizeThenCenterCrop(333, 500, 256, 224)).toEqual({ width: 256, height: 384, crop: { top: 80, left: 16, height: 224, width: 224 } });
  });
});
