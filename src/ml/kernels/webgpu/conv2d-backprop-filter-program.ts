// The webgpu filter-gradient GEMM: implicit im2col, shared-memory tiles, 4×4 outputs a thread, one split of K a workgroup.
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { FilterGradPlan } from './conv2d-backprop-filter-plan.js';

/** The scalars the shader reads besides tfjs's own shape uniforms, in declaration order (all i32). */
export const filterGradUniformNames = ['gemmM', 'gemmN', 'gemmK', 'kPerSplit', 'kSteps', 'inH', 'inW', 'inC', 'outW', 'outHW', 'filterW', 'strideH', 'strideW', 'padTop', 'padLeft'] as const;

/**
 * Writes partial sums, shape [splits, M, N] (or the filter shape itself when there is one split: the same flat
 * layout), for x [batch, H, W, Ci] and dy [batch, Ho, Wo, Co], both NHWC.
 */
export class Conv2DFilterGradGemmProgram implements WebGPUProgram {
  variableNames = ['x', 'dy'];
  uniforms = filterGradUniformNames.map((name) => `${name} : i32,`).join(' ');
  outputShape: number[];
  shaderKey: string;
  // Only used by tfjs to name coordinates; the shader indexes everything itself.
  dispatchLayout = { x: [0], y: [1], z: [2] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];

  variableComponents?: number[];
  /**
   * Whether x and dy are read as vec4: when ci and co are multiples of 4, a thread's group of 4 filter rows is 4
   * consecutive input channels under one tap (one bounds check, one 16-byte load) and its 4 columns are 4 consecutive
   * output channels. Only the first conv of an RGB network (ci = 3) takes the scalar path.
   */
  private readonly vectorized: boolean;

  constructor(
    outputShape: number[],
    private readonly plan: FilterGradPlan,
    gemm: { m: number; n: number; inChannels: number },
  ) {
    this.outputShape = outputShape;
    this.vectorized = gemm.inChannels % 4 === 0 && gemm.n % 4 === 0;
    if (this.vectorized) this.variableComponents = [4, 4];
    // One flat dimension of threads: the shader derives (tm, tn) itself so that a thread's 4 columns are contiguous.
    this.workgroupSize = [plan.threadsM * plan.threadsN, 1, 1];
    this.dispatch = [Math.ceil(gemm.n / plan.tileN), Math.ceil(gemm.m / plan.tileM), plan.splits];
    // Everything else is a uniform, so one pipeline serves every layer with the same tile shape.
    this.shaderKey = `linpathConv2DFilterGrad_${plan.threadsM}_${plan.threadsN}_${plan.tileK}_${this.vectorized}`;
  }

  /** readA: the thread's 4 rows of A[·, k]: the input under their filter taps, zero in the padding and outside the GEMM. */
  private readASource(): string {
    const inside = `
  let iy = col.x + row.x;
  let ix = col.y + row.y;
  return iy >= 0 && iy < uniforms.inH && ix >= 0 && ix < uniforms.inW;`;
    if (this.vectorized) {
      return `
fn inside(row : vec3<i32>, col : vec4<i32>) -> bool {${inside}
}

// The 4 rows are 4 consecutive input channels under one tap: one check, one 16-byte load at an offset divisible by 4.
fn readA(rows : array<vec3<i32>, 4>, col : vec4<i32>) -> vec4<f32> {
  if (!inside(rows[0], col)) {
    return vec4<f32>(0.0);
  }
  return x[(col.z + rows[0].z) / 4];
}`;
    }
    return `
fn inside(row : vec3<i32>, col : vec4<i32>) -> bool {${inside}
}

fn readX(row : vec3<i32>, col : vec4<i32>) -> f32 {
  if (!inside(row, col)) {
    return 0.0;
  }
  return x[col.z + row.z];
}

fn readA(rows : array<vec3<i32>, 4>, col : vec4<i32>) -> vec4<f32> {
  return vec4<f32>(readX(rows[0], col), readX(rows[1], col), readX(rows[2], col), readX(rows[3], col));
}`;
  }

  getUserCode(): string {
    const { tileM, tileN, tileK, threadsN, threadsM } = this.plan;
    return `
const TM = ${tileM};
const TN = ${tileN};
const TK = ${tileK};
const THREADS_M = ${threadsM};
const THREADS_N = ${threadsN};
const THREADS = ${threadsM * threadsN};
// Invalid rows (m ≥ M) and columns (k ≥ K) get a window this far outside the image, so that the bounds check that
// handles the padding rejects them too.
const OUTSIDE = -1048576;

// Tiles as vec4 so that the inner loop reads a thread's 4 rows and 4 columns with two 16-byte loads.
var<workgroup> aTile : array<vec4<f32>, ${(tileK * tileM) / 4}>;  // [kk][mm / 4]
var<workgroup> bTile : array<vec4<f32>, ${(tileK * tileN) / 4}>;  // [kk][nn / 4]
// k → (image, y, x) takes two integer divisions: done once per tile column here, not once per loaded element.
var<workgroup> colInfo : array<vec4<i32>, TK>;

// (kh, kw, offset of x[·, kh, kw, ci] from x[·, 0, 0, 0]) for filter row m.
fn makeRowInfo(m : i32) -> vec3<i32> {
  if (m >= uniforms.gemmM) {
    return vec3<i32>(OUTSIDE, OUTSIDE, 0);
  }
  let perKh = uniforms.filterW * uniforms.inC;
  let kh = m / perKh;
  let rest = m - kh * perKh;
  let kw = rest / uniforms.inC;
  let ci = rest - kw * uniforms.inC;
  return vec3<i32>(kh, kw, (kh * uniforms.inW + kw) * uniforms.inC + ci);
}

// (top row iy0, left column ix0 of output pixel k's window in x, offset of x[image, iy0, ix0, 0]). iy0 and ix0 are
// negative inside the padding; the offset is then meaningless and readA does not use it.
fn makeColInfo(k : i32) -> vec4<i32> {
  if (k >= uniforms.gemmK) {
    return vec4<i32>(OUTSIDE, OUTSIDE, 0, 0);
  }
  let image = k / uniforms.outHW;
  let pixel = k - image * uniforms.outHW;
  let y = pixel / uniforms.outW;
  let xo = pixel - y * uniforms.outW;
  let iy0 = y * uniforms.strideH - uniforms.padTop;
  let ix0 = xo * uniforms.strideW - uniforms.padLeft;
  return vec4<i32>(iy0, ix0, ((image * uniforms.inH + iy0) * uniforms.inW + ix0) * uniforms.inC, 0);
}

${this.readASource()}

// One row of a thread's 4 × 4 block into the partial sums of its split, within the GEMM's bounds.
fn writeRow(base : i32, m : i32, n : i32, values : vec4<f32>) {
  if (m >= uniforms.gemmM) {
    return;
  }
  let at = base + m * uniforms.gemmN + n;
  if (n < uniforms.gemmN) { result[at] = values.x; }
  if (n + 1 < uniforms.gemmN) { result[at + 1] = values.y; }
  if (n + 2 < uniforms.gemmN) { result[at + 2] = values.z; }
  if (n + 3 < uniforms.gemmN) { result[at + 3] = values.w; }
}

fn main() {
  let tid = i32(localIndex);
  let n0 = i32(workgroupId.x) * TN;
  let m0 = i32(workgroupId.y) * TM;
  let kBegin = i32(workgroupId.z) * uniforms.kPerSplit;

  // THREADS is a multiple of both THREADS_M (= TM / 4) and THREADS_N (= TN / 4), so in the strided load loops below
  // each thread always loads the same 4 rows of A and the same 4 columns of B: their index arithmetic is done once.
  // Consecutive threads take consecutive groups of 4 (input channels for A, output channels for B): coalesced.
  let aGroup = tid % THREADS_M;
  let rows = array<vec3<i32>, 4>(makeRowInfo(m0 + aGroup * 4), makeRowInfo(m0 + aGroup * 4 + 1),
                                 makeRowInfo(m0 + aGroup * 4 + 2), makeRowInfo(m0 + aGroup * 4 + 3));
  let bGroup = tid % THREADS_N;
  let nB = n0 + bGroup * 4;

  for (var c = tid; c < TK; c += THREADS) {
    colInfo[c] = makeColInfo(kBegin + c);
  }
  workgroupBarrier();

  // The thread's own 4 × 4 outputs: rows tm·4.., columns tn·4...
  let tn = tid % THREADS_N;
  let tm = tid / THREADS_N;
  var acc : array<vec4<f32>, 4>;
  // Every split runs the same number of steps (a uniform, as barriers require); the last split's steps past K read
  // zeros through colInfo.
  for (var t = 0; t < uniforms.kSteps; t++) {
    let kBase = kBegin + t * TK;
    for (var kk = tid / THREADS_M; kk < TK; kk += THREADS_N) {
      let col = colInfo[kk];
      aTile[kk * THREADS_M + aGroup] = readA(rows, col);
    }
    // dy is a [K, N] row-major matrix as it lies: no index arithmetic beyond bounds.
    for (var kk = tid / THREADS_N; kk < TK; kk += THREADS_M) {
      let k = kBase + kk;
      var v = vec4<f32>(0.0);
      if (k < uniforms.gemmK) {
        ${
          this.vectorized
            ? `if (nB < uniforms.gemmN) {
          v = dy[(k * uniforms.gemmN + nB) / 4];
        }`
            : `let at = k * uniforms.gemmN + nB;
        if (nB < uniforms.gemmN) { v.x = dy[at]; }
        if (nB + 1 < uniforms.gemmN) { v.y = dy[at + 1]; }
        if (nB + 2 < uniforms.gemmN) { v.z = dy[at + 2]; }
        if (nB + 3 < uniforms.gemmN) { v.w = dy[at + 3]; }`
        }
      }
      bTile[kk * THREADS_N + bGroup] = v;
    }
    workgroupBarrier();

    // colInfo is not read again until after the next barrier: refill it for the next step here, off the load path.
    for (var c = tid; c < TK; c += THREADS) {
      colInfo[c] = makeColInfo(kBase + TK + c);
    }
    for (var kk = 0; kk < TK; kk++) {
      let a = aTile[kk * THREADS_M + tm];
      let b = bTile[kk * THREADS_N + tn];
      acc[0] = fma(vec4<f32>(a.x), b, acc[0]);
      acc[1] = fma(vec4<f32>(a.y), b, acc[1]);
      acc[2] = fma(vec4<f32>(a.z), b, acc[2]);
      acc[3] = fma(vec4<f32>(a.w), b, acc[3]);
    }
    workgroupBarrier();
  }

  // Constant indices into acc throughout (the loops above and these four calls), so that it stays in registers.
  let base = i32(workgroupId.z) * uniforms.gemmM * uniforms.gemmN;
  writeRow(base, m0 + tm * 4, n0 + tn * 4, acc[0]);
  writeRow(base, m0 + tm * 4 + 1, n0 + tn * 4, acc[1]);
  writeRow(base, m0 + tm * 4 + 2, n0 + tn * 4, acc[2]);
  writeRow(base, m0 + tm * 4 + 3, n0 + tn * 4, acc[3]);
}
`;
  }
}
