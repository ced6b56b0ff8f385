// Per-channel mean/std used by open_lth (torchvision's Normalize) for each dataset.

export interface Normalization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export const MNIST_NORMALIZATION: Normalization = { mean: [0.1307], std: [0.3081] };
/**
 * CIFAR-10's own channel statistics, as specified for this project. Note: open_lth itself (datasets/cifar10.py)
 * normalizes CIFAR-10 with the ImageNet constants below; switch to IMAGENET_NORMALIZATION to match it exactly.
 */
export const CIFAR10_NORMALIZATION: Normalization = {
  mean: [0.4914, 0.4822, 0.4465],
  std: [0.247, 0.2435, 0.2616],
};
export const IMAGENET_NORMALIZATION: Normalization = {
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

/** Lookup tables mapping a raw byte of channel c to its normalized value, so a batch costs one read per pixel. */
export function byteTables(norm: Normalization): Float32Array[] {
  return norm.mean.map((mean, c) => {
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = (v / 255 - mean) / norm.std[c]!;
    return table;
  });
}
