// Sums split-K partial results [splits, ...outputShape] over their first axis, in a fixed order (no atomics).
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

const THREADS = 256;
/** Partials each lane adds at most, before lanes are added up, when the output is too small to need more lanes. */
const SPLITS_PER_LANE = 16;

/**
 * Each output is summed by `lanes` threads that share its splits, then combined in workgroup memory. With one thread
 * per output, a small output over many splits (ResNet-20's first conv: 432 outputs, 1024 splits) would be 432 threads
 * each waiting on a chain of 1024 loads; 16 lanes make it 7k threads and chains of 64.
 */
export class SumSplitsProgram implements WebGPUProgram {
  variableNames = ['partials'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size = true;
  private readonly lanes: number;

  constructor(outputShape: number[], splits: number) {
    this.outputShape = outputShape;
    this.lanes = Math.min(16, 2 ** Math.ceil(Math.log2(Math.max(1, splits / SPLITS_PER_LANE))));
    const outputsPerGroup = THREADS / this.lanes;
    this.workgroupSize = [outputsPerGroup, this.lanes, 1];
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    const size = outputShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(size / outputsPerGroup), 1, 1];
    this.shaderKey = `linpathSumSplits_${this.lanes}`;
  }

  getUserCode(): string {
    const outputs = THREADS / this.lanes;
    return `
var<workgroup> laneSums : array<f32, ${THREADS}>;

fn main(unused : i32) {
  // tfjs may fold a long dispatch into two or three dimensions: number workgroups as it does.
  let group = i32(workgroupId.z * numWorkgroups.x * numWorkgroups.y + workgroupId.y * numWorkgroups.x + workgroupId.x);
  let index = group * ${outputs} + i32(localId.x);
  let lane = i32(localId.y);
  let splits = uniforms.partialsShape[0];
  var sum = 0.0;
  if (index < uniforms.size) {
    // For a fixed split, a workgroup's outputs are contiguous: coalesced reads.
    for (var s = lane; s < splits; s += ${this.lanes}) {
      sum += partials[s * uniforms.size + index];
    }
  }
  laneSums[lane * ${outputs} + i32(localId.x)] = sum;
  workgroupBarrier();
  if (lane == 0 && index < uniforms.size) {
    var total = 0.0;
    for (var l = 0; l < ${this.lanes}; l++) {
      total += laneSums[l * ${outputs} + i32(localId.x)];
    }
    setOutputAtIndex(index, total);
  }
}
`;
  }
}
