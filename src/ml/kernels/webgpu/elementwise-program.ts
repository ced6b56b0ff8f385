// A webgpu program of one thread per output element, for kernels that are a few lines of arithmetic on inputs read at `i`.
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

const THREADS = 256;

export class ElementwiseProgram implements WebGPUProgram {
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  size = true;

  /** `body`: WGSL statements for element `i` (< uniforms.size) ending in setOutputAtIndex(i, …); `shaderKey` names that code. */
  constructor(
    readonly variableNames: string[],
    readonly uniforms: string,
    private readonly body: string,
    shape: number[],
    readonly shaderKey: string,
  ) {
    this.outputShape = shape;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(shape.reduce((a, b) => a * b, 1) / THREADS), 1, 1];
  }

  getUserCode(): string {
    return `
fn main(unused : i32) {
  // tfjs folds a long dispatch into two or three dimensions: number the workgroups as it does.
  let group = i32(workgroupId.z * numWorkgroups.x * numWorkgroups.y + workgroupId.y * numWorkgroups.x + workgroupId.x);
  let i = group * ${THREADS} + i32(localId.x);
  if (i < uniforms.size) {
    ${this.body}
  }
}
`;
  }
}
