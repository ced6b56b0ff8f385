// Host weights ⇄ backend tensors.
import * as tf from '@tensorflow/tfjs';
import type { HostWeights } from '../models/init.js';
import type { ModelDef, Weights } from '../models/spec.js';

export function upload(model: ModelDef, host: HostWeights): Weights {
  const w: Weights = {};
  for (const spec of model.tensors) w[spec.name] = tf.tensor(host.get(spec.name)!, spec.shape, 'float32');
  return w;
}

export async function download(w: Weights): Promise<HostWeights> {
  const host: HostWeights = new Map();
  for (const [name, t] of Object.entries(w)) host.set(name, (await t.data()) as Float32Array);
  return host;
}

export function disposeWeights(w: Weights): void {
  for (const t of Object.values(w)) t.dispose();
}
