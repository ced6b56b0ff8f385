// A training recipe: open_lth-style hyperparameters as plain data, validated with errors that name the field.
import { ComputeError } from '../compute-error.js';

export interface Recipe {
  model: string; // lenet_300_100 | conv_bn | resnet_20 | vgg_16 | resnet_50
  dataset: string; // informational: the data comes from the fetch-data stage
  optimizer: 'sgd';
  lr: number;
  momentum: number;
  weight_decay: number; // coupled L2: added to the gradient
  batch_size: number;
  epochs: number;
  iterations?: number; // overrides epochs × iterations-per-epoch when set (short runs)
  milestones: number[]; // epochs at which lr is multiplied by gamma
  gamma: number;
  warmup_epochs: number; // linear warmup from 0
  augment: boolean;
  seed: number;
  checkpoints: number[]; // iterations to save, 0 and the final one included
}

const defaults: Partial<Recipe> = {
  dataset: '',
  optimizer: 'sgd',
  momentum: 0,
  weight_decay: 0,
  milestones: [],
  gamma: 0.1,
  warmup_epochs: 0,
  augment: false,
  seed: 1,
};

const knownFields = new Set([
  'model',
  'dataset',
  'optimizer',
  'lr',
  'momentum',
  'weight_decay',
  'batch_size',
  'epochs',
  'iterations',
  'milestones',
  'gamma',
  'warmup_epochs',
  'augment',
  'seed',
  'checkpoints',
]);

function bad(field: string, why: string): ComputeError {
  return new ComputeError('bad-recipe', `recipe.${field}: ${why}`);
}

export function parseRecipe(value: unknown): Recipe {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('(root)', 'expected an object');
  // A misspelt hyperparameter would otherwise be ignored silently and the run would use the default.
  const unknown = Object.keys(value).filter((key) => !knownFields.has(key));
  if (unknown.length > 0) throw bad(unknown[0], `unknown field (known: ${[...knownFields].join(', ')})`);
  const r = { ...defaults, ...(value as Record<string, unknown>) } as Record<string, unknown>;
  const num = (field: string, min: number, integer = false) => {
    const v = r[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
      throw bad(field, `expected ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  if (typeof r.model !== 'string') throw bad('model', 'expected a model name');
  if (r.optimizer !== 'sgd') throw bad('optimizer', `only "sgd" is supported, got ${JSON.stringify(r.optimizer)}`);
  const list = (field: string) => {
    const v = r[field];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x < 0)) {
      throw bad(field, `expected a list of non-negative integers, got ${JSON.stringify(v)}`);
    }
    return v as number[];
  };
  const recipe: Recipe = {
    model: r.model,
    dataset: String(r.dataset),
    optimizer: 'sgd',
    lr: num('lr', 0),
    momentum: num('momentum', 0),
    weight_decay: num('weight_decay', 0),
    batch_size: num('batch_size', 1, true),
    epochs: num('epochs', 0),
    milestones: list('milestones'),
    gamma: num('gamma', 0),
    warmup_epochs: num('warmup_epochs', 0),
    augment: Boolean(r.augment),
    seed: num('seed', 0, true),
    checkpoints: [...new Set(list('checkpoints'))].sort((a, b) => a - b),
  };
  if (r.iterations !== undefined) recipe.iterations = num('iterations', 1, true);
  if (!recipe.checkpoints.includes(0)) throw bad('checkpoints', 'must include 0 (the initialisation)');
  return recipe;
}

export function iterationsPerEpoch(recipe: Recipe, trainCount: number): number {
  return Math.ceil(trainCount / recipe.batch_size);
}

export function totalIterations(recipe: Recipe, trainCount: number): number {
  return recipe.iterations ?? Math.round(recipe.epochs * iterationsPerEpoch(recipe, trainCount));
}

/** Checks the declared checkpoints against the run's length: the sweep fan-out was planned from them. */
export function checkCheckpoints(recipe: Recipe, total: number): void {
  const last = recipe.checkpoints.at(-1);
  if (last !== total) {
    throw bad('checkpoints', `the last checkpoint must be the final iteration ${total} (got ${last}); list 0 … ${total}`);
  }
}

/** ~count log-spaced iterations from 1 to total, plus 0 — a helper for writing pipeline params. */
export function logSpacedCheckpoints(total: number, count: number): number[] {
  const points = new Set<number>([0, total]);
  for (let i = 0; i < count - 1; i++) points.add(Math.round(total ** (i / (count - 2))));
  return [...points].sort((a, b) => a - b);
}
