// The IDX format of the original MNIST files: a big-endian header (magic, dimensions) then raw bytes.
import { DataError } from './errors.js';

const UBYTE = 0x08;

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an unsigned-byte IDX file with `rank` dimensions, checking magic, dimensions and length. */
export function parseIdx(bytes: Uint8Array, rank: number, where: string): IdxArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = 4 + 4 * rank;
  if (bytes.byteLength < 4) throw new DataError('idx-header', `${where}: ${bytes.byteLength} bytes is too short for an IDX file`);
  const zero = view.getUint16(0);
  const type = view.getUint8(2);
  const fileRank = view.getUint8(3);
  if (zero !== 0 || type !== UBYTE || fileRank !== rank) {
    const magic = view.getUint32(0).toString(16).padStart(8, '0');
    const expected = ((UBYTE << 8) | rank).toString(16).padStart(8, '0');
    throw new DataError('idx-header', `${where}: IDX magic 0x${magic}, expected 0x${expected} (unsigned bytes, ${rank} dimensions)`);
  }
  if (bytes.byteLength < headerLength) {
    throw new DataError('idx-header', `${where}: ${bytes.byteLength} bytes is too short for an IDX header of rank ${rank}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== headerLength + size) {
    throw new DataError('idx-header', `${where}: header says ${dims.join('×')} = ${size} bytes of data, the file holds ${bytes.byteLength - headerLength}`);
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/** Writes an unsigned-byte IDX file (used by tests and tools that make small MNIST-format data). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const headerLength = 4 + 4 * dims.length;
  const out = new Uint8Array(headerLength + data.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(2, UBYTE);
  view.setUint8(3, dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, headerLength);
  return out;
}
