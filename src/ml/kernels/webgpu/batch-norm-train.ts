// Training-mode BatchNorm on webgpu in five dispatches forward and five backward, where tfjs ops take about 11 and 13.
//
// x is [M, C] (NHWC flattened). Forward: per-chunk Welford moments → merged mean and biased variance [2, C] →
// normalise (+ ReLU). Backward: per-chunk Σ dA and Σ dA·x̂ → summed [2, C] (dβ, dγ) → dx. x̂ is recomputed from x and
// the moments instead of being kept, so a layer keeps x (the conv's output, which the conv's own gradient keeps too).
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { batchNormKernelNames as names } from '../../models/batch-norm-train.js';
import { ElementwiseProgram } from './elementwise-program.js';
import { SumSplitsProgram } from './sum-splits-program.js';

const CHANNEL_LANES = 64;
const ROW_LANES = 4;
const THREADS = 256;
/** Chunks of rows reduced by one workgroup each: enough workgroups to fill a large GPU, few enough to merge quickly. */
const TARGET_CHUNKS = 512;

function chunking(rows: number): { rowsPerChunk: number; chunks: number } {
  const rowsPerChunk = Math.max(ROW_LANES * 8, Math.ceil(rows / TARGET_CHUNKS));
  return { rowsPerChunk, chunks: Math.max(1, Math.ceil(rows / rowsPerChunk)) };
}

/**
 * Per chunk of rows and per channel: Welford (mean, M2) of x ("moments"), or Σ dA and Σ dA·x̂ ("gradients", dA = dy
 * masked by y > 0 with ReLU). Threads of a workgroup read 64 consecutive channels of a row: coalesced for C ≥ 64.
 */
class ChannelPartialsProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [CHANNEL_LANES, ROW_LANES, 1];
  variableNames: string[];
  uniforms = 'rows : i32, channels : i32, rowsPerChunk : i32, epsilon : f32,';

  constructor(
    private readonly mode: 'moments' | 'gradients',
    private readonly relu: boolean,
    chunks: number,
    channels: number,
  ) {
    this.variableNames = mode === 'moments' ? ['xs'] : relu ? ['dys', 'xs', 'moments', 'ys'] : ['dys', 'xs', 'moments'];
    this.outputShape = [chunks, 2, channels];
    this.dispatchLayout = { x: [0, 1, 2] };
    this.dispatch = [chunks, Math.ceil(channels / CHANNEL_LANES), 1];
    this.shaderKey = `linpathBnPartials_${mode}_${relu}`;
  }

  getUserCode(): string {
    const accumulate =
      this.mode === 'moments'
        ? `let v = xs[i];
        n += 1.0;
        let d = v - a;
        a += d / n;
        b += d * (v - a);`
        : `var g = dys[i];
        ${this.relu ? 'if (ys[i] <= 0.0) { g = 0.0; }' : ''}
        n += 1.0;
        a += g;
        b += g * ((xs[i] - mean) * inv);`;
    const merge =
      this.mode === 'moments'
        ? `let nb = partN[slot];
      if (nb > 0.0) {
        let total = n + nb;
        let delta = partA[slot] - a;
        a += delta * nb / total;
        b += partB[slot] + delta * delta * n * nb / total;
        n = total;
      }`
        : `a += partA[slot];
      b += partB[slot];`;
    return `
var<workgroup> partN : array<f32, ${THREADS}>;
var<workgroup> partA : array<f32, ${THREADS}>;
var<workgroup> partB : array<f32, ${THREADS}>;

fn main(unused : i32) {
  let chunk = i32(workgroupId.x);
  let c = i32(workgroupId.y) * ${CHANNEL_LANES} + i32(localId.x);
  let lane = i32(localId.y);
  let first = chunk * uniforms.rowsPerChunk;
  let last = min(first + uniforms.rowsPerChunk, uniforms.rows);
  var n = 0.0;
  var a = 0.0;
  var b = 0.0;
  if (c < uniforms.channels) {
    ${this.mode === 'gradients' ? 'let mean = moments[c];\n    let inv = inverseSqrt(moments[uniforms.channels + c] + uniforms.epsilon);' : ''}
    for (var r = first + lane; r < last; r += ${ROW_LANES}) {
      let i = r * uniforms.channels + c;
      ${accumulate}
    }
  }
  let own = lane * ${CHANNEL_LANES} + i32(localId.x);
  partN[own] = n;
  partA[own] = a;
  partB[own] = b;
  workgroupBarrier();
  if (lane == 0 && c < uniforms.channels) {
    for (var l = 1; l < ${ROW_LANES}; l++) {
      let slot = l * ${CHANNEL_LANES} + i32(localId.x);
      ${merge}
    }
    let base = chunk * 2 * uniforms.channels;
    setOutputAtIndex(base + c, a);
    setOutputAtIndex(base + uniforms.channels + c, b);
  }
}
`;
  }
}

/** Merges the chunks' Welford moments (Chan et al.) into [mean; biased variance], one thread a channel. */
class MergeMomentsProgram implements WebGPUProgram {
  variableNames = ['partials'];
  outputShape: number[];
  shaderKey = 'linpathBnMergeMoments';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [CHANNEL_LANES, 1, 1];
  uniforms = 'rows : i32, channels : i32, rowsPerChunk : i32, chunks : i32,';

  constructor(channels: number) {
    this.outputShape = [2, channels];
    this.dispatchLayout = { x: [0, 1] };
    this.dispatch = [Math.ceil(channels / CHANNEL_LANES), 1, 1];
  }

  getUserCode(): string {
    return `
fn main(unused : i32) {
  let c = i32(workgroupId.x) * ${CHANNEL_LANES} + i32(localId.x);
  if (c >= uniforms.channels) { return; }
  var n = 0.0;
  var mean = 0.0;
  var m2 = 0.0;
  for (var s = 0; s < uniforms.chunks; s++) {
    let nb = f32(min(uniforms.rowsPerChunk, uniforms.rows - s * uniforms.rowsPerChunk));
    let base = s * 2 * uniforms.channels;
    let total = n + nb;
    let delta = partials[base + c] - mean;
    mean += delta * nb / total;
    m2 += partials[base + uniforms.channels + c] + delta * delta * n * nb / total;
    n = total;
  }
  setOutputAtIndex(c, mean);
  setOutputAtIndex(uniforms.channels + c, m2 / n);
}
`;
  }
}

/** Elementwise over [M, C]: the forward's normalisation, or the backward's dx. */
function channelElementwise(mode: 'normalise' | 'input-gradient', relu: boolean, shape: number[]): ElementwiseProgram {
  const variableNames = mode === 'normalise' ? ['xs', 'moments', 'gamma', 'beta'] : relu ? ['dys', 'xs', 'moments', 'gamma', 'sums', 'ys'] : ['dys', 'xs', 'moments', 'gamma', 'sums'];
  // The same arithmetic, in the same order, as the tfjs ops of src/ml/models/batch-norm-train.ts.
  const body =
    mode === 'normalise'
      ? `let normalised = (xs[i] - moments[c]) * inv;
    let affine = normalised * gamma[c] + beta[c];
    setOutputAtIndex(i, ${relu ? 'max(affine, 0.0)' : 'affine'});`
      : `var g = dys[i];
    ${relu ? 'if (ys[i] <= 0.0) { g = 0.0; }' : ''}
    let xHat = (xs[i] - moments[c]) * inv;
    let inner = (g - sums[c] / uniforms.count) - xHat * (sums[uniforms.channels + c] / uniforms.count);
    setOutputAtIndex(i, inner * (inv * gamma[c]));`;
  return new ElementwiseProgram(
    variableNames,
    'channels : i32, epsilon : f32, count : f32,',
    `let c = i % uniforms.channels;
    let inv = inverseSqrt(moments[uniforms.channels + c] + uniforms.epsilon);
    ${body}`,
    shape,
    `linpathBnElementwise_${mode}_${relu}`,
  );
}

type Inputs = Record<string, tf.TensorInfo>;
const i32 = (value: number) => ({ type: 'int32', data: [value] });
const f32 = (value: number) => ({ type: 'float32', data: [value] });

/** x [M, C] → [mean; biased variance] [2, C]. */
const moments: tf.KernelConfig = {
  kernelName: names.moments,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend }) => {
    const webgpu = backend as unknown as WebGPUBackend;
    const { x } = inputs as Inputs;
    const [rows, channels] = x.shape;
    const { rowsPerChunk, chunks } = chunking(rows);
    const partials = webgpu.runWebGPUProgram(new ChannelPartialsProgram('moments', false, chunks, channels), [x], 'float32', [i32(rows), i32(channels), i32(rowsPerChunk), f32(0)]);
    const merged = webgpu.runWebGPUProgram(new MergeMomentsProgram(channels), [partials], 'float32', [i32(rows), i32(channels), i32(rowsPerChunk), i32(chunks)]);
    webgpu.disposeData(partials.dataId);
    return merged;
  },
};

/** (x [M, C], moments, γ, β) → (x − mean)/√(var + ε)·γ + β, then ReLU when attrs.relu. */
const normalise: tf.KernelConfig = {
  kernelName: names.normalise,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, moments: m, gamma, beta } = inputs as Inputs;
    const { epsilon, relu } = attrs as unknown as { epsilon: number; relu: boolean };
    const program = channelElementwise('normalise', relu, x.shape);
    return (backend as unknown as WebGPUBackend).runWebGPUProgram(program, [x, m, gamma, beta], 'float32', [i32(x.shape[1]), f32(epsilon), f32(x.shape[0])]);
  },
};

/** (dy, x, moments[, y]) → [Σ dA; Σ dA·x̂] [2, C], i.e. [dβ; dγ]. */
const gradientSums: tf.KernelConfig = {
  kernelName: names.gradientSums,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const webgpu = backend as unknown as WebGPUBackend;
    const { dy, x, moments: m, y } = inputs as Inputs;
    const { epsilon } = attrs as unknown as { epsilon: number };
    const [rows, channels] = x.shape;
    const { rowsPerChunk, chunks } = chunking(rows);
    const relu = y !== undefined;
    const partials = webgpu.runWebGPUProgram(new ChannelPartialsProgram('gradients', relu, chunks, channels), relu ? [dy, x, m, y] : [dy, x, m], 'float32', [
      i32(rows),
      i32(channels),
      i32(rowsPerChunk),
      f32(epsilon),
    ]);
    const sums = webgpu.runWebGPUProgram(new SumSplitsProgram([2, channels], chunks), [partials], 'float32');
    webgpu.disposeData(partials.dataId);
    return sums;
  },
};

/** (dy, x, moments, γ, sums[, y]) → dx = γ/√(var+ε)·(dA − dβ/M − x̂·dγ/M). */
const inputGradient: tf.KernelConfig = {
  kernelName: names.inputGradient,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, x, moments: m, gamma, sums, y } = inputs as Inputs;
    const { epsilon } = attrs as unknown as { epsilon: number };
    const relu = y !== undefined;
    const program = channelElementwise('input-gradient', relu, x.shape);
    return (backend as unknown as WebGPUBackend).runWebGPUProgram(program, relu ? [dy, x, m, gamma, sums, y] : [dy, x, m, gamma, sums], 'float32', [i32(x.shape[1]), f32(epsilon), f32(x.shape[0])]);
  },
};

export const batchNormTrainKernels = [moments, normalise, gradientSums, inputGradient];
