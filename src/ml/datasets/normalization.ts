// Per-channel mean/std used by open_lth (torchvision's Normalize) for each dataset.

export interface Normalization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export const MNIST_NORMALIZATION: Normalization = { mean: [0.1307], std: [0.3081] };
export const IMAGENET_NORMALIZATION: Normalization = {
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};
/** open_lth (datasets/cifar10.py) normalizes CIFAR-10 with the ImageNet constants, not CIFAR-10's own statistics. */
export const CIFAR10_NORMALIZATION: Normalization = IMAGENET_NORMALIZATION;

/** Lookup tables mapping a raw byte of channel c to its normalized value, so a batch costs one read per pixel. */
export function byteTables(norm: Normalization): Float32Array[] {
  return norm.mean.map((mean, c) => {
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = (v / 255 - mean) / norm.std[c]!;
    return table;
  });
}
