// Chooses the tile shape and split-K count of the webgpu filter-gradient GEMM from the convolution's shape alone.

/**
 * The filter gradient is a GEMM dW[m, n] = Σ_k A[m, k] · B[k, n] with m = (kh, kw, ci) over the filter, n = co and
 * k = (image, y, x) over every output pixel of the batch: the output is small (thousands of elements) and the
 * reduction huge (N·Ho·Wo, 8k–131k for CIFAR at batch 128). One workgroup computes a tileM × tileN block of dW over
 * kPerSplit consecutive k; `splits` workgroups along z share each block and a second dispatch sums their partials.
 */
export interface FilterGradPlan {
  /** Threads of a workgroup along m and along n; each thread computes 4 × 4 outputs. */
  threadsM: number;
  threadsN: number;
  tileM: number;
  tileN: number;
  /** Reduction depth of one shared-memory tile. */
  tileK: number;
  /** Reduction length each workgroup covers: a multiple of tileK. */
  kPerSplit: number;
  splits: number;
}

export interface GemmShape {
  /** Filter rows kh·kw·ci. */
  m: number;
  /** Output channels. */
  n: number;
  /** Output pixels of the whole batch. */
  k: number;
}

/** Every thread computes a 4 × 4 block: 16 FMAs per 8 shared-memory reads (two vec4), and 16 accumulators. */
export const OUTPUTS_PER_THREAD_SIDE = 4;
/**
 * 16 keeps the two tiles within 12 KiB even with the longest sides (128 rows, 64 columns), under WebGPU's guaranteed
 * 16 KiB of workgroup memory, while a step still has 16 × 16 FMAs a thread between its two barriers.
 */
export const TILE_K = 16;
/** 256 is the largest workgroup every WebGPU device must accept, and a common sweet spot on NVIDIA. */
const MAX_THREADS = 256;
/**
 * Enough threads in flight to fill a big GPU: an H200 has 132 SMs × 2048 resident threads ≈ 270k. Fewer leave SMs idle
 * (tfjs's own kernel launched 2.3k–37k threads for ResNet-20, each looping over the whole batch); more only grows the
 * partial sums.
 */
const TARGET_THREADS = 1 << 18;
/**
 * Each workgroup reduces at least this many k (8 tiles), so its prologue and its one partial write stay small next to
 * its 128·tileM·tileN FMAs, and the partial buffer stays ≤ K/128 · M·N floats.
 */
const MIN_K_PER_SPLIT = 128;
/** WebGPU's guaranteed maxComputeWorkgroupsPerDimension: splits go along z. */
const MAX_SPLITS = 65535;

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);
const nextPow2 = (v: number) => 2 ** Math.ceil(Math.log2(Math.max(1, v)));

/** Overrides for tests and tuning; the defaults come from the shape. */
export interface PlanOptions {
  splits?: number;
  threadsM?: number;
  threadsN?: number;
  tileK?: number;
}

/** WebGPU's guaranteed maxComputeWorkgroupStorageSize. */
const MAX_WORKGROUP_BYTES = 16384;

/** Workgroup memory of a plan: the A and B tiles (f32) and the per-column table (vec4<i32>). */
export function workgroupBytes(plan: Pick<FilterGradPlan, 'tileM' | 'tileN' | 'tileK'>): number {
  return 4 * plan.tileK * (plan.tileM + plan.tileN) + 16 * plan.tileK;
}

export function planFilterGrad(shape: GemmShape, options: PlanOptions = {}): FilterGradPlan {
  const side = OUTPUTS_PER_THREAD_SIDE;
  // The tile spans the output channels (16–512) up to 64 (16 threads × 4) and no further than needed, so a
  // 16-channel layer does not pay for a 64-wide tile.
  const threadsN = options.threadsN ?? Math.min(16, nextPow2(ceilDiv(shape.n, side)));
  const threadsM = options.threadsM ?? chooseThreadsM(shape.m, threadsN);
  if (threadsM * threadsN > MAX_THREADS) throw new Error(`a ${threadsM}×${threadsN} workgroup exceeds ${MAX_THREADS} threads`);
  const tileM = threadsM * side;
  const tileN = threadsN * side;
  const tileK = options.tileK ?? TILE_K;
  if (workgroupBytes({ tileM, tileN, tileK }) > MAX_WORKGROUP_BYTES) throw new Error(`a ${tileM}×${tileN}×${tileK} tile exceeds ${MAX_WORKGROUP_BYTES} bytes of workgroup memory`);
  const tiles = ceilDiv(shape.m, tileM) * ceilDiv(shape.n, tileN);
  // An empty batch (k = 0) still gets one step of one split: it writes the zeros dW then is.
  const kTiles = Math.max(1, ceilDiv(shape.k, tileK));
  let splits = options.splits ?? Math.min(ceilDiv(TARGET_THREADS, tiles * threadsM * threadsN), Math.floor(shape.k / MIN_K_PER_SPLIT));
  splits = Math.max(1, Math.min(splits, MAX_SPLITS, kTiles));
  // Whole tiles per split so that only the last split meets the end of the reduction; recomputing the count from the
  // rounded length leaves no split empty.
  const kPerSplit = ceilDiv(kTiles, splits) * tileK;
  splits = Math.max(1, ceilDiv(shape.k, kPerSplit));
  return { threadsM, threadsN, tileM, tileN, tileK, kPerSplit, splits };
}

/**
 * The tallest tile (up to 128 rows, 256 threads) that wastes at most a third of its rows on the last tile: filter rows
 * are kh·kw·ci (27, 144, 288, 576 in ResNet-20), rarely a power of two, and a padded row costs as much as a real one.
 */
function chooseThreadsM(m: number, threadsN: number): number {
  const side = OUTPUTS_PER_THREAD_SIDE;
  for (let threads = Math.min(32, MAX_THREADS / threadsN); threads > 1; threads /= 2) {
    const tileM = threads * side;
    if (ceilDiv(m, tileM) * tileM <= (4 / 3) * m + 1e-9) return threads;
  }
  return 1;
}
