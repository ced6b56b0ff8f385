// The filter-gradient planner covers the reduction exactly, stays within WebGPU's guaranteed limits, and fills a big GPU on ResNet-20.
import { describe, expect, it } from 'vitest';
import { planFilterGrad, workgroupBytes, type GemmShape } from '../../../../src/ml/kernels/webgpu/conv2d-backprop-filter-plan.js';

// ResNet-20 at batch 128 on CIFAR-10 (m = kh·kw·ci, n = co, k = batch·Ho·Wo), then ResNet-50/VGG-sized extremes.
const resnet20: [string, GemmShape][] = [
  ['stem 3×3 3→16', { m: 27, n: 16, k: 128 * 32 * 32 }],
  ['stage 1 3×3 16→16', { m: 144, n: 16, k: 128 * 32 * 32 }],
  ['stage 2 3×3/2 16→32', { m: 144, n: 32, k: 128 * 16 * 16 }],
  ['stage 2 shortcut 1×1/2 16→32', { m: 16, n: 32, k: 128 * 16 * 16 }],
  ['stage 2 3×3 32→32', { m: 288, n: 32, k: 128 * 16 * 16 }],
  ['stage 3 3×3/2 32→64', { m: 288, n: 64, k: 128 * 8 * 8 }],
  ['stage 3 shortcut 1×1/2 32→64', { m: 32, n: 64, k: 128 * 8 * 8 }],
  ['stage 3 3×3 64→64', { m: 576, n: 64, k: 128 * 8 * 8 }],
];
const others: [string, GemmShape][] = [
  ['ResNet-50 3×3 512→512, batch 1024', { m: 4608, n: 512, k: 1024 * 7 * 7 }],
  ['ResNet-50 stem 7×7 3→64, batch 1024', { m: 147, n: 64, k: 1024 * 112 * 112 }],
  ['one output pixel', { m: 1, n: 1, k: 1 }],
  ['prime sizes', { m: 37, n: 7, k: 1009 }],
];

describe('planFilterGrad', () => {
  it.each([...resnet20, ...others])('%s: splits cover K exactly once, within WebGPU limits', (_, shape) => {
    const plan = planFilterGrad(shape);
    expect(plan.kPerSplit % plan.tileK).toBe(0);
    expect(plan.splits * plan.kPerSplit).toBeGreaterThanOrEqual(shape.k);
    expect((plan.splits - 1) * plan.kPerSplit).toBeLessThan(shape.k);
    expect(plan.splits).toBeLessThanOrEqual(65535);
    expect(plan.threadsM * plan.threadsN).toBeLessThanOrEqual(256);
    // Two tiles and the column table in WebGPU's guaranteed 16 KiB of workgroup memory.
    expect(workgroupBytes(plan)).toBeLessThanOrEqual(16384);
    // At most a third of the rows of the last tile along m are padding (or the tile is the smallest there is).
    expect(Math.ceil(shape.m / plan.tileM) * plan.tileM <= (4 / 3) * shape.m || plan.tileM === 4).toBe(true);
  });

  it.each(resnet20.filter(([, s]) => s.m >= 144))('%s: splits K so that ≥ 64k threads run (a big GPU holds ~270k)', (_, shape) => {
    const plan = planFilterGrad(shape);
    const tiles = Math.ceil(shape.m / plan.tileM) * Math.ceil(shape.n / plan.tileN);
    expect(plan.splits).toBeGreaterThan(1);
    expect(tiles * plan.splits * plan.threadsM * plan.threadsN).toBeGreaterThanOrEqual(65536);
    expect(plan.kPerSplit).toBeGreaterThanOrEqual(128);
  });

  it('does not split a reduction that is already short, and honours overrides', () => {
    expect(planFilterGrad({ m: 144, n: 16, k: 200 }).splits).toBe(1);
    expect(planFilterGrad({ m: 9, n: 4, k: 0 })).toMatchObject({ splits: 1, kPerSplit: 16 });
    const forced = planFilterGrad({ m: 45, n: 6, k: 98 }, { splits: 7, threadsM: 1, threadsN: 1 });
    expect(forced).toMatchObject({ threadsM: 1, threadsN: 1, tileM: 4, tileN: 4, splits: 7, kPerSplit: 16 });
  });

  it('takes a deeper tile where workgroup memory allows, and refuses one where it does not', () => {
    expect(planFilterGrad({ m: 144, n: 16, k: 4096 }, { tileK: 32 })).toMatchObject({ tileK: 32, kPerSplit: 128 });
    expect(() => planFilterGrad({ m: 576, n: 64, k: 4096 }, { tileK: 32 })).toThrow(/workgroup memory/);
  });

  it('leaves a short last split when the split does not divide K (K = 675 → 5 × 144)', () => {
    expect(planFilterGrad({ m: 36, n: 8, k: 3 * 15 * 15 })).toMatchObject({ splits: 5, kPerSplit: 144 });
  });
});
