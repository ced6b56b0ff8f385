// The stage tests' rig: run a stage program as the runner would (a clean PIPELINE_* environment), write its params, and
// a tiny MNIST recipe that trains in seconds, so each test says only what differs.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

/** The runner's variables, empty: a test sets only those its stage should see, none leak in from the shell. */
const cleanEnvironment = { PIPELINE_SCRATCH: '', PIPELINE_PARAMS: '', PIPELINE_INFO: '', PIPELINE_UPSTREAM: '' };

/** The stages that compute, and so take --backend. */
const computeStages = new Set(['train', 'sweep', 'plane']);

/**
 * `node --import tsx stages/NAME.ts ARGS`, never rejecting (the result carries exitCode and `all`, stdout and
 * stderr interleaved). Compute stages get `--backend` (wasm unless given), the others none.
 */
export function runStageProgram(name: string, args: string[], env: Record<string, string> = {}, backend = 'wasm') {
  const backendArgs = computeStages.has(name) ? ['--backend', backend] : [];
  return execa('node', ['--import', 'tsx', `stages/${name}.ts`, ...backendArgs, ...args], { reject: false, all: true, env: { ...cleanEnvironment, ...env } });
}

/** Writes `value` as DIR/NAME.params.json, for PIPELINE_PARAMS; returns its path. */
export async function writeParams(dir: string, name: string, value: unknown): Promise<string> {
  const file = path.join(dir, `${name}.params.json`);
  await writeFile(file, JSON.stringify(value));
  return file;
}

/** LeNet-300-100 on MNIST with open_lth's recipe shape, shrunk to a few dozen steps on a small dataset. */
export function tinyRecipe(overrides: Record<string, unknown> = {}) {
  return {
    model: 'lenet_300_100',
    dataset: 'mnist',
    optimizer: 'sgd',
    lr: 0.05,
    momentum: 0.9,
    weight_decay: 1e-4,
    batch_size: 16,
    epochs: 2,
    milestones: [1],
    gamma: 0.1,
    warmup_epochs: 0,
    augment: false,
    seed: 1,
    checkpoints: [0, 1, 5, 20],
    ...overrides,
  };
}
