// wasm's Identity (tf.clone, and what the gradient tape saves) shares its input's buffer instead of copying it.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/ml/backend/select.js';

beforeAll(async () => {
  await selectBackend({ forced: 'wasm' });
});

describe('wasm Identity', () => {
  it('adds no buffer, and the clone outlives the original', () => {
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const buffers = tf.memory().numDataBuffers;
    const clone = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    x.dispose();
    expect(Array.from(clone.dataSync())).toEqual([1, 2, 3, 4]);
    clone.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers - 1);
  });
});
