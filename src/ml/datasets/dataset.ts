// The dataset interface every stage codes against: splits that hand out normalized NHWC batches by index.

export interface Batch {
  x: Float32Array; // NHWC, already normalized
  y: Int32Array;
  n: number;
}

export interface Split {
  readonly count: number;
  readonly shape: readonly [number, number, number]; // [H, W, C]
  readonly classes: number;
  batch(indices: ArrayLike<number>, options?: { augment?: boolean; random?: () => number }): Promise<Batch>;
}

export interface Dataset {
  name: string;
  train: Split;
  test: Split;
}

/** Opens the output directory of the fetch-data stage. */
export async function openDataset(dir: string): Promise<Dataset> {
  throw new Error(`openDataset(${dir}): not implemented yet`);
}
