// The webgpu filter-gradient GEMM: implicit im2col, shared-memory tiles, 4×4 outputs a thread, one split of K a workgroup.
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { FilterGradPlan } from './conv2d-backprop-filter-plan.js';

/** The scalars the shader reads besides tfjs's own shape uniforms, in declaration order (all i32). */
export const filterGradUniformNames = [
  'gemmM',
  'gemmN',
  'gemmK',
  'kPerSplit',
  'kSteps',
  'inH',
  'inW',
  'inC',
  'outW',
  'outHW',
  'filterW',
  'strideH',
  'strideW',
  'padTop',
  'padLeft',
] as const;

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

  constructor(
    outputShape: number[],
    private readonly plan: FilterGradPlan,
    gemm: { m: number; n: number },
  ) {
    this.outputShape = outputShape;
    // One flat dimension of threads: the shader derives (tm, tn) itself so that a thread's 4 columns are contiguous.
    this.workgroupSize = [plan.threadsM * plan.threadsN, 1, 1];
    this.dispatch = [Math.ceil(gemm.n / plan.tileN), Math.ceil(gemm.m / plan.tileM), plan.splits];
    // Everything else is a uniform, so one pipeline serves every layer with the same tile shape.
    this.shaderKey = `linpathConv2DFilterGrad_${plan.threadsM}_${plan.threadsN}_${plan.tileK}`;
  }

  getUserCode(): string {
    const { tileM, tileN, tileK, threadsN, threadsM } = this.plan;
    return `
const TM = ${tileM};
const TN = ${tileN};
const TK = ${tileK};
const THREADS_N = ${threadsN};
const THREADS = ${threadsM * threadsN};

// Tiles as vec4 so that the inner loop reads a thread's 4 rows and 4 columns with two 16-byte loads.
var<workgroup> aTile : array<vec4<f32>, ${(tileK * tileM) / 4}>;  // [kk][mm / 4]
var<workgroup> bTile : array<vec4<f32>, ${(tileK * tileN) / 4}>;  // [kk][nn / 4]
// The integer divisions that map m → (kh, kw, ci) and k → (image, y, x) are done once per tile row / column here,
// not once per loaded element.
var<workgroup> rowInfo : array<vec4<i32>, TM>;
var<workgroup> colInfo : array<vec4<i32>, TK>;

// (kh, kw, offset of x[·, kh, kw, ci] from x[·, 0, 0, 0], 1 if the row exists).
fn makeRowInfo(m : i32) -> vec4<i32> {
  if (m >= uniforms.gemmM) {
    return vec4<i32>(0);
  }
  let perKh = uniforms.filterW * uniforms.inC;
  let kh = m / perKh;
  let rest = m - kh * perKh;
  let kw = rest / uniforms.inC;
  let ci = rest - kw * uniforms.inC;
  return vec4<i32>(kh, kw, (kh * uniforms.inW + kw) * uniforms.inC + ci, 1);
}

// (top row iy0, left column ix0 of the output pixel's window in x, offset of x[image, iy0, ix0, 0], 1 if k < K).
// iy0 and ix0 are negative inside the padding; the offset is then meaningless and readX never uses it.
fn makeColInfo(k : i32) -> vec4<i32> {
  if (k >= uniforms.gemmK) {
    return vec4<i32>(0);
  }
  let image = k / uniforms.outHW;
  let pixel = k - image * uniforms.outHW;
  let y = pixel / uniforms.outW;
  let xo = pixel - y * uniforms.outW;
  let iy0 = y * uniforms.strideH - uniforms.padTop;
  let ix0 = xo * uniforms.strideW - uniforms.padLeft;
  return vec4<i32>(iy0, ix0, ((image * uniforms.inH + iy0) * uniforms.inW + ix0) * uniforms.inC, 1);
}

// A[m, k]: the input under filter tap (kh, kw) for output pixel k, zero in the padding and outside the GEMM.
fn readX(row : vec4<i32>, col : vec4<i32>) -> f32 {
  let iy = col.x + row.x;
  let ix = col.y + row.y;
  if (row.w == 0 || col.w == 0 || iy < 0 || iy >= uniforms.inH || ix < 0 || ix >= uniforms.inW) {
    return 0.0;
  }
  return x[col.z + row.z];
}

fn main() {
  let tid = i32(localIndex);
  let tn = tid % THREADS_N;
  let tm = tid / THREADS_N;
  let n0 = i32(workgroupId.x) * TN;
  let m0 = i32(workgroupId.y) * TM;
  let kBegin = i32(workgroupId.z) * uniforms.kPerSplit;

  for (var r = tid; r < TM; r += THREADS) {
    rowInfo[r] = makeRowInfo(m0 + r);
  }
  for (var c = tid; c < TK; c += THREADS) {
    colInfo[c] = makeColInfo(kBegin + c);
  }
  workgroupBarrier();

  var acc : array<vec4<f32>, 4>;
  // Every split runs the same number of steps (a uniform, as barriers require); the last split's steps past K read
  // zeros through colInfo's flag.
  for (var t = 0; t < uniforms.kSteps; t++) {
    let kBase = kBegin + t * TK;
    // Consecutive threads load consecutive groups of 4 filter rows, i.e. consecutive input channels: coalesced.
    for (var l = tid; l < TK * TM / 4; l += THREADS) {
      let kk = l / (TM / 4);
      let mm = (l % (TM / 4)) * 4;
      let col = colInfo[kk];
      aTile[l] = vec4<f32>(readX(rowInfo[mm], col), readX(rowInfo[mm + 1], col),
                           readX(rowInfo[mm + 2], col), readX(rowInfo[mm + 3], col));
    }
    // dy is a [K, N] row-major matrix as it lies: no index arithmetic beyond bounds.
    for (var l = tid; l < TK * TN / 4; l += THREADS) {
      let kk = l / (TN / 4);
      let nn = n0 + (l % (TN / 4)) * 4;
      let k = kBase + kk;
      var v = vec4<f32>(0.0);
      if (k < uniforms.gemmK) {
        for (var j = 0; j < 4; j++) {
          if (nn + j < uniforms.gemmN) {
            v[j] = dy[k * uniforms.gemmN + nn + j];
          }
        }
      }
      bTile[l] = v;
    }
    workgroupBarrier();

    // colInfo is not read until after the next barrier: refill it for the next step here, off the load path.
    for (var c = tid; c < TK; c += THREADS) {
      colInfo[c] = makeColInfo(kBase + TK + c);
    }
    for (var kk = 0; kk < TK; kk++) {
      let a = aTile[kk * (TM / 4) + tm];
      let b = bTile[kk * (TN / 4) + tn];
      acc[0] = fma(vec4<f32>(a.x), b, acc[0]);
      acc[1] = fma(vec4<f32>(a.y), b, acc[1]);
      acc[2] = fma(vec4<f32>(a.z), b, acc[2]);
      acc[3] = fma(vec4<f32>(a.w), b, acc[3]);
    }
    workgroupBarrier();
  }

  let base = i32(workgroupId.z) * uniforms.gemmM * uniforms.gemmN;
  for (var i = 0; i < 4; i++) {
    let m = m0 + tm * 4 + i;
    for (var j = 0; j < 4; j++) {
      let n = n0 + tn * 4 + j;
      if (m < uniforms.gemmM && n < uniforms.gemmN) {
        result[base + m * uniforms.gemmN + n] = acc[i][j];
      }
    }
  }
}
`;
  }
}
