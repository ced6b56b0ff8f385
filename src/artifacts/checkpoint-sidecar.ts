// checkpoints/it<N>.json: the sidecar beside each checkpoint, saying which run and iteration its weights come from.
import { join } from 'node:path';
import { asObject, corrupt, iterationField, numberField, stringField, type Where } from './fields.js';
import { readJsonFile, writeJsonFile } from './json-file.js';

export interface CheckpointSidecar {
  setting: string;
  iteration: number;
  seed: number;
  backend: string;
  test_loss: number;
  test_accuracy: number;
  /** The model name, as the model registry knows it. */
  model: string;
}

export function sidecarPath(dir: string, iteration: number): string {
  return join(dir, `it${iteration}.json`);
}

export async function writeSidecar(dir: string, s: CheckpointSidecar): Promise<void> {
  const ordered = { setting: s.setting, iteration: s.iteration, seed: s.seed, backend: s.backend, test_loss: s.test_loss, test_accuracy: s.test_accuracy, model: s.model };
  await writeJsonFile(sidecarPath(dir, s.iteration), ordered);
}

export async function readSidecar(dir: string, iteration: number): Promise<CheckpointSidecar> {
  const file = sidecarPath(dir, iteration);
  const where: Where = { file, shape: '{ setting, iteration, seed, backend, test_loss, test_accuracy, model }' };
  const s = asObject(await readJsonFile(file, { what: 'the checkpoint sidecar' }), where);
  const sidecar: CheckpointSidecar = {
    setting: stringField(s, 'setting', where),
    iteration: iterationField(s, 'iteration', where),
    seed: numberField(s, 'seed', where),
    backend: stringField(s, 'backend', where),
    test_loss: numberField(s, 'test_loss', where),
    test_accuracy: numberField(s, 'test_accuracy', where),
    model: stringField(s, 'model', where),
  };
  if (sidecar.iteration !== iteration) throw corrupt(where, 'iteration', `is ${sidecar.iteration}, but the file is named for ${iteration}`);
  return sidecar;
}
