// Model definitions: parameter counts worked out by hand, output shapes, PyTorch names, and the open_lth initialisation.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/ml/backend/select.js';
import { initialWeights } from '../../../src/ml/models/init.js';
import { buildModel } from '../../../src/ml/models/registry.js';
import { forward, parameterCount } from '../../../src/ml/models/spec.js';
import { disposeWeights, upload } from '../../../src/ml/training/device-weights.js';

beforeAll(async () => {
  await selectBackend({ forced: 'wasm' });
});

const conv = (cin: number, cout: number, k: number, bias = false) => cin * cout * k * k + (bias ? cout : 0);
const bn = (c: number) => 2 * c;

describe('parameter counts', () => {
  it('LeNet-300-100 has 266,610', () => {
    expect(parameterCount(buildModel('lenet_300_100', [28, 28, 1], 10))).toBe(266_610);
  });

  it('the small conv+BN net has 10,618', () => {
    const expected = conv(1, 16, 5) + bn(16) + conv(16, 16, 3) + bn(16) + 16 * 7 * 7 * 10 + 10;
    expect(parameterCount(buildModel('conv_bn', [28, 28, 1], 10))).toBe(expected);
    expect(expected).toBe(10_618);
  });

  it('ResNet-20 (1×1 conv + BN shortcuts) has ≈ 0.27 M', () => {
    const block = (cin: number, cout: number) => conv(cin, cout, 3) + bn(cout) + conv(cout, cout, 3) + bn(cout) + (cin !== cout ? conv(cin, cout, 1) + bn(cout) : 0);
    const expected = conv(3, 16, 3) + bn(16) + 3 * block(16, 16) + block(16, 32) + 2 * block(32, 32) + block(32, 64) + 2 * block(64, 64) + 64 * 10 + 10;
    const count = parameterCount(buildModel('resnet_20', [32, 32, 3], 10));
    expect(count).toBe(expected);
    expect(count / 1e6).toBeCloseTo(0.27, 2);
  });

  it('VGG-16 for CIFAR has ≈ 14.7 M', () => {
    const widths = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512];
    let cin = 3;
    let expected = 0;
    for (const w of widths) {
      expected += conv(cin, w, 3, true) + bn(w);
      cin = w;
    }
    expected += 512 * 10 + 10;
    const count = parameterCount(buildModel('vgg_16', [32, 32, 3], 10));
    expect(count).toBe(expected);
    expect(count / 1e6).toBeCloseTo(14.7, 1);
  });

  it("ResNet-50 has torchvision's 25,557,032", () => {
    expect(parameterCount(buildModel('resnet_50', [224, 224, 3], 1000))).toBe(25_557_032);
  });
});

describe('forward shapes and names', () => {
  const cases: [string, [number, number, number], number, number][] = [
    ['lenet_300_100', [28, 28, 1], 10, 3],
    ['conv_bn', [28, 28, 1], 10, 3],
    ['resnet_20', [32, 32, 3], 10, 2],
    ['vgg_16', [32, 32, 3], 10, 1],
    ['resnet_50', [64, 64, 3], 1000, 1], // any size works through the global pool; 64×64 keeps the test cheap
  ];
  it.each(cases)(
    '%s maps [N, %j] to [N, %i] logits',
    (name, shape, classes, n) => {
      const model = buildModel(name, shape, classes);
      const w = upload(model, initialWeights(model, 1));
      const logits = tf.tidy(() => forward(model, w, tf.randomNormal([n, ...shape]) as tf.Tensor4D, { training: false }));
      expect(logits.shape).toEqual([n, classes]);
      expect(Array.from(logits.dataSync()).every(Number.isFinite)).toBe(true);
      logits.dispose();
      disposeWeights(w);
    },
    120_000,
  );

  it('uses PyTorch-style names', () => {
    expect(buildModel('lenet_300_100', [28, 28, 1], 10).tensors.map((t) => t.name)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']);
    const resnet = buildModel('resnet_20', [32, 32, 3], 10).tensors.map((t) => t.name);
    expect(resnet).toContain('blocks.3.shortcut.0.weight');
    expect(resnet).toContain('blocks.3.shortcut.1.running_var');
    expect(resnet).not.toContain('blocks.0.shortcut.0.weight');
    expect(buildModel('resnet_50', [224, 224, 3], 1000).tensors.map((t) => t.name)).toContain('layer4.0.downsample.1.running_mean');
  });

  it('rejects an unknown model by name', () => {
    expect(() => buildModel('resnet_21', [32, 32, 3], 10)).toThrow(/unknown model "resnet_21"/);
  });
});

describe('open_lth initialisation', () => {
  const model = buildModel('conv_bn', [28, 28, 1], 10);
  const w = initialWeights(model, 7);

  it('draws Kaiming-normal (fan-in) weights', () => {
    const lenet = initialWeights(buildModel('lenet_300_100', [28, 28, 1], 10), 3).get('fc1.weight')!;
    const mean = lenet.reduce((a, b) => a + b, 0) / lenet.length;
    const std = Math.sqrt(lenet.reduce((a, b) => a + (b - mean) ** 2, 0) / lenet.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(std / Math.sqrt(2 / 784)).toBeCloseTo(1, 2);
  });

  it('draws BN γ from U[0, 1) and sets β = 0, running mean 0 and variance 1', () => {
    const gamma = w.get('bn1.weight')!;
    expect(Math.min(...gamma)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...gamma)).toBeLessThan(1);
    expect(new Set(gamma).size).toBe(gamma.length);
    expect([...w.get('bn1.bias')!].every((v) => v === 0)).toBe(true);
    expect([...w.get('bn2.running_var')!].every((v) => v === 1)).toBe(true);
  });

  it('is a pure function of the seed', () => {
    expect(initialWeights(model, 7).get('conv2.weight')).toEqual(w.get('conv2.weight'));
    expect(initialWeights(model, 8).get('conv2.weight')).not.toEqual(w.get('conv2.weight'));
  });
});
