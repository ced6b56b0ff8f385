// The checkpoint files of a training run: checkpoints/it<ITER>.safetensors (PyTorch state dict) and its JSON sidecar.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ComputeError } from '../compute-error.js';
import type { HostWeights } from '../models/init.js';
import type { ModelDef } from '../models/spec.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { fromStateDict, toStateDict } from './state-dict.js';

export interface Sidecar {
  setting: string;
  iteration: number;
  seed: number;
  backend: string;
  test_loss: number;
  test_accuracy: number;
  model?: string;
}

export function checkpointPath(dir: string, iteration: number): string {
  return join(dir, `it${iteration}.safetensors`);
}

export function sidecarPath(dir: string, iteration: number): string {
  return join(dir, `it${iteration}.json`);
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temp, path);
}

export async function writeCheckpoint(dir: string, model: ModelDef, weights: HostWeights, sidecar: Sidecar): Promise<void> {
  const metadata = { format: 'pt', setting: sidecar.setting, iteration: String(sidecar.iteration), model: model.name };
  await writeSafetensors(checkpointPath(dir, sidecar.iteration), toStateDict(model, weights), metadata);
  await writeJsonAtomic(sidecarPath(dir, sidecar.iteration), { ...sidecar, model: model.name });
}

export async function readCheckpoint(dir: string, iteration: number, model: ModelDef): Promise<HostWeights> {
  const path = checkpointPath(dir, iteration);
  const { tensors } = await readSafetensors(path);
  return fromStateDict(model, tensors, path);
}

export async function readSidecar(dir: string, iteration: number): Promise<Sidecar> {
  const path = sidecarPath(dir, iteration);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Sidecar;
  } catch (cause) {
    throw new ComputeError('checkpoint-missing', `cannot read checkpoint sidecar ${path}`, { cause });
  }
}
