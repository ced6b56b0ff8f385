// Moves a model's weights between tfjs layout (host arrays) and a PyTorch-style state dict.
import { ComputeError } from '../compute-error.js';
import type { HostWeights } from '../models/init.js';
import { fromTorch, torchShape, toTorch } from '../models/layout.js';
import type { ModelDef } from '../models/spec.js';
import type { TensorMap } from './safetensors.js';

export function toStateDict(model: ModelDef, weights: HostWeights): TensorMap {
  const dict: TensorMap = new Map();
  for (const spec of model.tensors) {
    const data = weights.get(spec.name);
    if (!data) throw new Error(`weights lack ${spec.name}`);
    dict.set(spec.name, { shape: torchShape(spec.layout, spec.shape), data: toTorch(spec.layout, spec.shape, data) });
  }
  return dict;
}

/** Checks every tensor the model needs is present with the right shape; names the first that is not. */
export function fromStateDict(model: ModelDef, dict: TensorMap, where: string): HostWeights {
  const weights: HostWeights = new Map();
  for (const spec of model.tensors) {
    const entry = dict.get(spec.name);
    const expected = torchShape(spec.layout, spec.shape);
    if (!entry) throw new ComputeError('checkpoint-mismatch', `${where}: no tensor ${spec.name} (model ${model.name})`);
    if (entry.shape.length !== expected.length || entry.shape.some((d, i) => d !== expected[i])) {
      throw new ComputeError('checkpoint-mismatch', `${where}: ${spec.name} has shape [${entry.shape}], model ${model.name} expects [${expected}]`);
    }
    weights.set(spec.name, fromTorch(spec.layout, spec.shape, entry.data));
  }
  return weights;
}
