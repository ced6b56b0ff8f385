// The checkpoint files of a training run: checkpoints/it<ITER>.safetensors (PyTorch state dict) and its JSON sidecar.
import { join } from 'node:path';
import { writeSidecar, type CheckpointSidecar } from '../../artifacts/checkpoint-sidecar.js';
import type { HostWeights } from '../models/init.js';
import type { ModelDef } from '../models/spec.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { fromStateDict, toStateDict } from './state-dict.js';

export function checkpointPath(dir: string, iteration: number): string {
  return join(dir, `it${iteration}.safetensors`);
}

// The resume state (src/ml/training) writes its JSON with the artifacts' writer too.
export { writeJsonFile as writeJsonAtomic } from '../../artifacts/json-file.js';

/** Writes the safetensors file, then its sidecar (which names the model). */
export async function writeCheckpoint(dir: string, model: ModelDef, weights: HostWeights, sidecar: Omit<CheckpointSidecar, 'model'>): Promise<void> {
  const metadata = { format: 'pt', setting: sidecar.setting, iteration: String(sidecar.iteration), model: model.name };
  await writeSafetensors(checkpointPath(dir, sidecar.iteration), toStateDict(model, weights), metadata);
  await writeSidecar(dir, { ...sidecar, model: model.name });
}

export async function readCheckpoint(dir: string, iteration: number, model: ModelDef): Promise<HostWeights> {
  const path = checkpointPath(dir, iteration);
  const { tensors } = await readSafetensors(path);
  return fromStateDict(model, tensors, path);
}
