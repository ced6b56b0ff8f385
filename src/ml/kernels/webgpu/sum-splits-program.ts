// Sums split-K partial results [splits, ...outputShape] over their first axis, in a fixed order (no atomics).
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/** Outputs per workgroup; each is summed by LANES threads that split the partials between them. */
const OUTPUTS = 64;
/**
 * Few outputs (432 for ResNet-20's first conv) over many splits (up to ~1k) would leave one thread looping over a
 * thousand dependent loads: four lanes per output cut that chain by four and give the GPU four times the threads.
 */
const LANES = 4;

export class SumSplitsProgram implements WebGPUProgram {
  variableNames = ['partials'];
  outputShape: number[];
  shaderKey = 'linpathSumSplits';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [OUTPUTS, LANES, 1];
  size = true;

  constructor(outputShape: number[]) {
    this.outputShape = outputShape;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    const size = outputShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(size / OUTPUTS), 1, 1];
  }

  getUserCode(): string {
    return `
var<workgroup> laneSums : array<f32, ${OUTPUTS * LANES}>;

fn main(unused : i32) {
  // tfjs may fold a long dispatch into two or three dimensions: number workgroups as it does.
  let group = i32(workgroupId.z * numWorkgroups.x * numWorkgroups.y + workgroupId.y * numWorkgroups.x + workgroupId.x);
  let index = group * ${OUTPUTS} + i32(localId.x);
  let lane = i32(localId.y);
  let splits = uniforms.partialsShape[0];
  var sum = 0.0;
  if (index < uniforms.size) {
    // For a fixed split, the workgroup's outputs are contiguous: coalesced reads.
    for (var s = lane; s < splits; s += ${LANES}) {
      sum += partials[s * uniforms.size + index];
    }
  }
  laneSums[lane * ${OUTPUTS} + i32(localId.x)] = sum;
  workgroupBarrier();
  if (lane == 0 && index < uniforms.size) {
    var total = 0.0;
    for (var l = 0; l < ${LANES}; l++) {
      total += laneSums[l * ${OUTPUTS} + i32(localId.x)];
    }
    setOutputAtIndex(index, total);
  }
}
`;
  }
}
