// Architectures as data: open_lth's model names parse into models whose parameter counts follow open_lth's formulas.
import { describe, expect, it } from 'vitest';
import { parseArchitecture } from '../../../src/ml/models/architecture.js';
import { buildModel } from '../../../src/ml/models/registry.js';
import { parameterCount } from '../../../src/ml/models/spec.js';

const conv = (cin: number, cout: number, k: number, bias = false) => cin * cout * k * k + (bias ? cout : 0);
const bn = (c: number) => 2 * c;
const dense = (fin: number, fout: number) => fin * fout + fout;

/** open_lth's cifar_resnet_D_W: a 3×3 stem, 3 stages of (D − 2)/6 basic blocks of W, 2W, 4W, 1×1 shortcuts where the shape changes. */
function resnetCount(depth: number, width: number): number {
  const n = (depth - 2) / 6;
  let total = conv(3, width, 3) + bn(width);
  let cin = width;
  for (const w of [width, 2 * width, 4 * width]) {
    for (let i = 0; i < n; i++) {
      total += conv(cin, w, 3) + bn(w) + conv(w, w, 3) + bn(w) + (cin !== w ? conv(cin, w, 1) + bn(w) : 0);
      cin = w;
    }
  }
  return total + dense(4 * width, 10);
}

/** open_lth's cifar_vgg_D: biased 3×3 convs with BN, then 512 → 10. */
function vggCount(plan: number[]): number {
  let cin = 3;
  let total = 0;
  for (const w of plan) {
    total += conv(cin, w, 3, true) + bn(w);
    cin = w;
  }
  return total + dense(512, 10);
}

describe('open_lth model names', () => {
  it.each([
    ['mnist_lenet_300_100', dense(784, 300) + dense(300, 100) + dense(100, 10)],
    ['mnist_lenet_1000_500', dense(784, 1000) + dense(1000, 500) + dense(500, 10)],
    ['mnist_lenet_300', dense(784, 300) + dense(300, 10)],
    ['mnist_lenet_300_100_50', dense(784, 300) + dense(300, 100) + dense(100, 50) + dense(50, 10)],
  ])('%s has %i parameters', (name, expected) => {
    expect(parameterCount(buildModel(name, [28, 28, 1], 10))).toBe(expected);
  });

  it.each([
    ['cifar_resnet_20', 20, 16],
    ['cifar_resnet_56', 56, 16],
    ['cifar_resnet_110', 110, 16],
    ['cifar_resnet_20_64', 20, 64],
    ['cifar_resnet_14_32', 14, 32],
  ])("%s follows open_lth's count", (name, depth, width) => {
    expect(parameterCount(buildModel(name, [32, 32, 3], 10))).toBe(resnetCount(depth, width));
  });

  it('is within 2 % of the published sizes (ResNet-20 0.27 M, ResNet-56 0.85 M, ResNet-110 1.7 M; 1×1 shortcuts add a little)', () => {
    for (const [depth, published] of [
      [20, 0.27],
      [56, 0.85],
      [110, 1.7],
    ]) {
      expect(Math.abs(parameterCount(buildModel(`cifar_resnet_${depth}`, [32, 32, 3], 10)) / 1e6 - published) / published).toBeLessThan(0.02);
    }
  });

  it.each([
    ['cifar_vgg_11', [64, 128, 256, 256, 512, 512, 512, 512]],
    ['cifar_vgg_13', [64, 64, 128, 128, 256, 256, 512, 512, 512, 512]],
    ['cifar_vgg_16', [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]],
    ['cifar_vgg_19', [64, 64, 128, 128, 256, 256, 256, 256, 512, 512, 512, 512, 512, 512, 512, 512]],
  ])("%s follows open_lth's count", (name, plan) => {
    expect(parameterCount(buildModel(name, [32, 32, 3], 10))).toBe(vggCount(plan));
  });

  it('keeps the short names, which are the same networks', () => {
    expect(parseArchitecture('lenet_300_100')).toEqual(parseArchitecture('mnist_lenet_300_100'));
    expect(parseArchitecture('resnet_20')).toEqual(parseArchitecture('cifar_resnet_20'));
    expect(parseArchitecture('vgg_16')).toEqual(parseArchitecture('cifar_vgg_16'));
    expect(buildModel('cifar_resnet_56', [32, 32, 3], 10).name).toBe('cifar_resnet_56');
  });

  it.each([
    ['cifar_resnet_21', /depth is 6n\+2/],
    ['cifar_resnet_20_0', /cifar_resnet_DEPTH/],
    ['cifar_resnet_20_16_3', /cifar_resnet_DEPTH/],
    ['cifar_vgg_12', /cifar_vgg_11, _13, _16 or _19/],
    ['mnist_lenet_', /positive integers/],
    ['mnist_lenet_300_x', /positive integers/],
    ['mnist_lenet_0300', /positive integers/],
    ['alexnet', /not a name linpath knows/],
  ])('rejects %s, saying what is wrong', (name, message) => {
    expect(() => parseArchitecture(name)).toThrow(message);
    expect(() => parseArchitecture(name)).toThrow(expect.objectContaining({ reason: 'unknown-model' }));
  });
});
