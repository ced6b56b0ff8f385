// Tiny synthetic datasets implementing the Dataset interface: class-dependent Gaussian blobs, learnable in a few steps.
import type { Batch, Dataset, Split } from '../../../src/ml/datasets/dataset.js';
import { mulberry32, normalSampler } from '../../../src/ml/random.js';

export function syntheticSplit(count: number, shape: [number, number, number], classes: number, seed: number): Split {
  const size = shape[0] * shape[1] * shape[2];
  const random = mulberry32(seed);
  const normal = normalSampler(random);
  const centers = Array.from({ length: classes }, (_, k) => {
    const r = mulberry32(1000 + k);
    return Float32Array.from({ length: size }, () => (r() < 0.3 ? 1.5 : 0));
  });
  const x = new Float32Array(count * size);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    y[i] = Math.floor(random() * classes);
    for (let j = 0; j < size; j++) x[i * size + j] = centers[y[i]][j] + normal();
  }
  return {
    count,
    shape,
    classes,
    async batch(indices: ArrayLike<number>, options?: { augment?: boolean; random?: () => number }): Promise<Batch> {
      const n = indices.length;
      const bx = new Float32Array(n * size);
      const by = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const index = indices[i];
        bx.set(x.subarray(index * size, (index + 1) * size), i * size);
        // "Augmentation" the tests can observe: a random sign flip of a tiny offset, drawn from the given stream.
        if (options?.augment && options.random) bx[i * size] += options.random() < 0.5 ? 0.01 : -0.01;
        by[i] = y[index];
      }
      return { x: bx, y: by, n };
    },
  };
}

export function syntheticDataset(options: { train?: number; test?: number; shape?: [number, number, number]; classes?: number } = {}): Dataset {
  const shape = options.shape ?? [8, 8, 1];
  const classes = options.classes ?? 4;
  return {
    name: 'synthetic',
    train: syntheticSplit(options.train ?? 256, shape, classes, 1),
    test: syntheticSplit(options.test ?? 128, shape, classes, 2),
  };
}
