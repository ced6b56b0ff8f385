// Converts tensors between tfjs layout and PyTorch state-dict layout (row-major both).
import type { Layout } from './spec.js';

/** The PyTorch shape of a tensor whose tfjs shape is `shape`. */
export function torchShape(layout: Layout, shape: readonly number[]): number[] {
  if (layout === 'linear') return [shape[1], shape[0]];
  if (layout === 'conv') return [shape[3], shape[2], shape[0], shape[1]];
  return [...shape];
}

/** tfjs [in, out] → PyTorch [out, in]; tfjs [kh, kw, in, out] → PyTorch [out, in, kh, kw]. */
export function toTorch(layout: Layout, shape: readonly number[], data: Float32Array): Float32Array {
  if (layout === 'vector') return data.slice();
  const out = new Float32Array(data.length);
  if (layout === 'linear') {
    const [inF, outF] = shape;
    for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) out[o * inF + i] = data[i * outF + o];
    return out;
  }
  const [kh, kw, ci, co] = shape;
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = data[((y * kw + x) * ci + i) * co + o];
  return out;
}

/** Inverse of toTorch; `shape` is the tfjs shape. */
export function fromTorch(layout: Layout, shape: readonly number[], data: Float32Array): Float32Array {
  if (layout === 'vector') return data.slice();
  const out = new Float32Array(data.length);
  if (layout === 'linear') {
    const [inF, outF] = shape;
    for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) out[i * outF + o] = data[o * inF + i];
    return out;
  }
  const [kh, kw, ci, co] = shape;
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[((y * kw + x) * ci + i) * co + o] = data[((o * ci + i) * kh + y) * kw + x];
  return out;
}
