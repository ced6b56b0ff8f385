// Where a child of the instability analysis starts: the parent train output's checkpoint θ_t, checked against the child's recipe.
import { join } from 'node:path';
import { ArtifactError } from '../../src/artifacts/errors.js';
import { readTrainRecord } from '../../src/artifacts/train-record.js';
import { readCheckpoint } from '../../src/ml/checkpoint/files.js';
import type { HostWeights } from '../../src/ml/models/init.js';
import type { ModelDef } from '../../src/ml/models/spec.js';
import { totalIterations, type Recipe } from '../../src/ml/training/recipe.js';
import { UsageError } from './stage-main.js';

export interface BranchStart {
  iteration: number;
  weights: HostWeights;
  finalIteration: number;
}

/**
 * Reads θ_t from `parentDir` (a train stage output). The child continues the parent's run, so the recipe it is given must be
 * the parent's: the same setting, model, seed and length. A mismatch would silently measure another run's instability.
 */
export async function branchStart(parentDir: string, iteration: number, setting: string, recipe: Recipe, model: ModelDef, trainCount: number): Promise<BranchStart> {
  let parent;
  try {
    parent = await readTrainRecord(parentDir);
  } catch (error) {
    if (error instanceof ArtifactError) throw new UsageError(`--parent ${parentDir}: ${error.message}`, { cause: error });
    throw error;
  }
  const total = totalIterations(recipe, trainCount);
  const mismatch = (what: string, parentValue: unknown, childValue: unknown) =>
    new UsageError(`--parent ${parentDir}: the parent's ${what} is ${JSON.stringify(parentValue)}, the child's recipe says ${JSON.stringify(childValue)}: give the child the parent's recipe`);
  if (parent.setting !== setting) throw mismatch('setting', parent.setting, setting);
  if (parent.model !== model.name) throw mismatch('model', parent.model, model.name);
  if (parent.seed !== recipe.seed) throw mismatch('seed', parent.seed, recipe.seed);
  if (parent.final_iteration !== total) throw mismatch('final iteration', parent.final_iteration, total);
  if (parent.branched_from) throw new UsageError(`--parent ${parentDir}: is itself a child (branched at ${parent.branched_from.iteration}); branch from a full run`);
  if (!parent.iterations.includes(iteration)) {
    throw new UsageError(`--branch-iteration ${iteration}: ${parentDir} has checkpoints at ${parent.iterations.join(', ')}`);
  }
  const weights = await readCheckpoint(join(parentDir, 'checkpoints'), iteration, model);
  return { iteration, weights, finalIteration: total };
}
