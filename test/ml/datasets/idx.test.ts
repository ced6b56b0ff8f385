// IDX parsing: headers, dimensions and lengths are checked, and the data comes back as written.
import { describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx } from '../../../src/ml/datasets/idx.js';
import { parseMnistPair } from '../../../src/ml/datasets/mnist.js';
import { mnistArrays } from './fixtures.js';

describe('parseIdx', () => {
  it('reads back what encodeIdx wrote', () => {
    const data = Uint8Array.from({ length: 24 }, (_, i) => i * 3);
    const parsed = parseIdx(encodeIdx([2, 3, 4], data), 3, 'x');
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(Array.from(data));
  });

  it('rejects a wrong magic with the file name', () => {
    const bytes = encodeIdx([2], new Uint8Array(2));
    bytes[2] = 0x0d; // float instead of unsigned byte
    expect(() => parseIdx(bytes, 1, 'labels.idx')).toThrow(/labels\.idx: IDX magic 0x00000d01, expected 0x00000801/);
  });

  it('rejects a rank mismatch and a length that disagrees with the header', () => {
    expect(() => parseIdx(encodeIdx([2], new Uint8Array(2)), 3, 'f')).toThrow(/expected 0x00000803/);
    const truncated = encodeIdx([4, 2, 2], new Uint8Array(16)).subarray(0, 20);
    expect(() => parseIdx(truncated, 3, 'f')).toThrow(/header says 4×2×2 = 16 bytes of data, the file holds 4/);
  });
});

describe('parseMnistPair', () => {
  it('rejects labels that do not match the image count', () => {
    const { images, labels } = mnistArrays(3);
    expect(() => parseMnistPair(encodeIdx([3, 28, 28], images), encodeIdx([2], labels.subarray(0, 2)), 'img', 'lab')).toThrow(/lab: 2 labels for 3 images in img/);
  });

  it('rejects a label that is not a digit', () => {
    const { images, labels } = mnistArrays(3);
    labels[1] = 12;
    expect(() => parseMnistPair(encodeIdx([3, 28, 28], images), encodeIdx([3], labels), 'img', 'lab')).toThrow(/label 12 at index 1/);
  });
});
