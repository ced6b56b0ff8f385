// Reads and writes safetensors files (float32 only), the format PyTorch and others load directly.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../artifacts/write-atomic.js';
import { ComputeError } from '../compute-error.js';

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export type TensorMap = Map<string, NamedTensor>;

/** Serialises tensors in the given order; the header is padded with spaces to 8-byte alignment as the format recommends. */
export function encodeSafetensors(tensors: TensorMap, metadata: Record<string, string> = {}): Buffer {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const expected = t.shape.reduce((a, b) => a * b, 1);
    if (expected !== t.data.length) throw new Error(`tensor ${name}: shape ${JSON.stringify(t.shape)} does not match ${t.data.length} values`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    // Buffer writes are little-endian on every platform Node supports; copy the raw bytes.
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(out, at);
    at += t.data.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Buffer, where = 'safetensors data'): { tensors: TensorMap; metadata: Record<string, string> } {
  const corrupt = (why: string, cause?: unknown) => new ComputeError('checkpoint-corrupt', `${where}: ${why}`, { cause });
  if (bytes.length < 8) throw corrupt('file too short for a safetensors header');
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (headerLength > bytes.length - 8) throw corrupt(`header length ${headerLength} exceeds the file size`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  } catch (cause) {
    throw corrupt('header is not valid JSON', cause);
  }
  const base = 8 + headerLength;
  const tensors: TensorMap = new Map();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (dtype !== 'F32') throw corrupt(`tensor ${name} has dtype ${dtype}; only F32 is supported`);
    const [begin, end] = offsets ?? [];
    const count = (shape ?? []).reduce((a, b) => a * b, 1);
    if (!Number.isInteger(begin) || !Number.isInteger(end) || end - begin !== count * 4 || base + end > bytes.length) {
      throw corrupt(`tensor ${name} has offsets ${JSON.stringify(offsets)} that do not fit its shape or the file`);
    }
    const data = new Float32Array(count);
    Buffer.from(data.buffer).set(bytes.subarray(base + begin, base + end));
    tensors.set(name, { shape, data });
  }
  return { tensors, metadata };
}

/** Writes atomically (src/artifacts/write-atomic.ts): a reader never sees half a checkpoint. */
export async function writeSafetensors(path: string, tensors: TensorMap, metadata: Record<string, string> = {}): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export async function readSafetensors(path: string): Promise<{ tensors: TensorMap; metadata: Record<string, string> }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new ComputeError('checkpoint-missing', `cannot read checkpoint ${path}: ${(cause as NodeJS.ErrnoException).code ?? cause}`, { cause });
  }
  return decodeSafetensors(bytes, path);
}
