// Synthetic checkpoint pairs in the train stage's layout (docs/outputs.md) for benchmarking when no trained run is given.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** PyTorch-layout tensor shapes of the two default-pipeline models (src/ml/models/lenet.ts, conv-bn.ts). */
export const MODELS = {
  lenet_300_100: {
    setting: 'mnist_lenet_300_100',
    tensors: { 'fc1.weight': [300, 784], 'fc1.bias': [300], 'fc2.weight': [100, 300], 'fc2.bias': [100], 'fc3.weight': [10, 100], 'fc3.bias': [10] },
  },
  conv_bn: {
    setting: 'mnist_conv_bn',
    tensors: {
      'conv1.weight': [16, 1, 5, 5],
      'bn1.weight': [16],
      'bn1.bias': [16],
      'bn1.running_mean': [16],
      'bn1.running_var': [16],
      'conv2.weight': [16, 16, 3, 3],
      'bn2.weight': [16],
      'bn2.bias': [16],
      'bn2.running_mean': [16],
      'bn2.running_var': [16],
      'fc.weight': [10, 16 * 7 * 7],
      'fc.bias': [10], // fc on the flattened 7×7×16 map
    },
  },
};

function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Kaiming-normal weights, small biases, BN γ ~ U[0,1), plausible running statistics. */
function randomTensors(shapes, seed) {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const tensors = new Map();
  for (const [name, shape] of Object.entries(shapes)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length > 1 ? size / shape[0] : 1;
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      if (name.endsWith('running_var')) data[i] = 0.5 + random();
      else if (name.endsWith('running_mean')) data[i] = 0.1 * normal();
      else if (shape.length > 1) data[i] = normal() * Math.sqrt(2 / fanIn);
      else if (name.startsWith('bn') && name.endsWith('.weight')) data[i] = random();
      else data[i] = 0.01 * normal();
    }
    tensors.set(name, { shape, data });
  }
  return tensors;
}

/** safetensors: u64 LE header length, JSON header (padded to 8 bytes), then raw little-endian float32 data. */
export function encodeSafetensors(tensors) {
  const header = {};
  let offset = 0;
  for (const [name, { shape, data }] of tensors) {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  out.write(json, 8, 'latin1');
  let at = 8 + json.length;
  for (const { data } of tensors.values()) {
    Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, at);
    at += data.byteLength;
  }
  return out;
}

/** Writes a train output dir with random checkpoints at iterations 0 and `final`; returns it. */
export async function writeSyntheticTrain(dir, model, final = 1000) {
  const { setting, tensors } = MODELS[model];
  await mkdir(path.join(dir, 'checkpoints'), { recursive: true });
  for (const [iteration, seed] of [
    [0, 1],
    [final, 2],
  ]) {
    await writeFile(path.join(dir, 'checkpoints', `it${iteration}.safetensors`), encodeSafetensors(randomTensors(tensors, seed)));
    const sidecar = { setting, iteration, seed: 0, backend: 'synthetic', test_loss: null, test_accuracy: null };
    await writeFile(path.join(dir, 'checkpoints', `it${iteration}.json`), JSON.stringify(sidecar));
  }
  const train = {
    setting,
    model,
    iterations: [0, final],
    final_iteration: final,
    seed: 0,
    backend: 'synthetic',
    final: null,
    history: [], // random weights nobody evaluated (train.json allows null)
  };
  await writeFile(path.join(dir, 'train.json'), JSON.stringify(train, null, 2));
  await writeFile(path.join(dir, 'metrics.json'), JSON.stringify({ final_test_loss: null, final_test_accuracy: null }));
  return dir;
}
