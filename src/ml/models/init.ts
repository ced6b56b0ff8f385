// open_lth initialisation: Kaiming-normal (fan-in) weights, PyTorch's default uniform biases, BN γ ~ U[0,1) and β = 0.
import { deriveSeed, mulberry32, normalSampler } from '../random.js';
import type { ModelDef, TensorSpec } from './spec.js';

export type HostWeights = Map<string, Float32Array>; // tfjs layout, by PyTorch name

function initTensor(spec: TensorSpec, seed: number): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  const random = mulberry32(deriveSeed(seed, 'init', spec.name));
  const init = spec.init;
  if (init.kind === 'kaiming-normal') {
    const normal = normalSampler(random);
    const std = Math.sqrt(2 / init.fanIn);
    for (let i = 0; i < size; i++) data[i] = normal() * std;
  } else if (init.kind === 'bias-uniform') {
    const bound = 1 / Math.sqrt(init.fanIn);
    for (let i = 0; i < size; i++) data[i] = (2 * random() - 1) * bound;
  } else if (init.kind === 'uniform01') {
    for (let i = 0; i < size; i++) data[i] = random();
  } else {
    data.fill(init.value);
  }
  return data;
}

/** Fresh weights for `model`, a pure function of the seed (each tensor draws from its own stream). */
export function initialWeights(model: ModelDef, seed: number): HostWeights {
  return new Map(model.tensors.map((spec) => [spec.name, initTensor(spec, seed)]));
}
