// Loads relu-linear-kernel.wasm (the ReLU-linear path's inner loops in SIMD, see the .wat beside it) once per thread.
import { readFileSync } from 'node:fs';

export interface ReluLinearKernel {
  memory: WebAssembly.Memory;
  /** Adds (a + x·d)·(w + x·dw) to the quadratic at c0, c1, c2 (float64 × o); w, dw: float32 × o. Byte addresses. */
  addUnit(c0: number, c1: number, c2: number, w: number, dw: number, o: number, a: number, d: number): void;
  /** Writes c0 + x·(c1 + x·c2), rounded to float32, to out (float32 × o). Byte addresses. */
  evaluate(out: number, c0: number, c1: number, c2: number, o: number, x: number): void;
}

let loaded: ReluLinearKernel | undefined;

export function reluLinearKernel(): ReluLinearKernel {
  loaded ??= new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL('./relu-linear-kernel.wasm', import.meta.url)))).exports as unknown as ReluLinearKernel;
  return loaded;
}

/** Grows the kernel's memory to hold `bytes`; views made earlier of its buffer are detached by a growth. */
export function reserveBytes(kernel: ReluLinearKernel, bytes: number): ArrayBuffer {
  const have = kernel.memory.buffer.byteLength;
  if (bytes > have) kernel.memory.grow(Math.ceil((bytes - have) / 65_536));
  return kernel.memory.buffer;
}
