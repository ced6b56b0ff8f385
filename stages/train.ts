// Stage program: trains one setting with checkpoints (train.json and checkpoints: src/artifacts/, docs/outputs.md), resumable through $PIPELINE_SCRATCH.
//
//   node --import tsx stages/train.ts --setting KEY --data DIR --out DIR [--backend NAME] [--params FILE]
//
// --data is the fetch-data stage's output. The recipe is `recipe` in the params JSON ($PIPELINE_PARAMS):
//   model          lenet_300_100 | conv_bn | resnet_20 | vgg_16 | resnet_50
//   dataset        informational (the data is --data)
//   optimizer      "sgd" (momentum, coupled L2 weight decay, as torch.optim.SGD)
//   lr, momentum, weight_decay, batch_size, gamma
//   epochs         length in epochs (iterations per epoch = ceil(train examples / batch_size))
//   iterations     optional: length in optimizer steps, overriding epochs
//   milestones     epochs at which lr is multiplied by gamma
//   warmup_epochs  linear warmup from 0 over this many epochs
//   augment        random crop + flip (the dataset decides what augmentation means)
//   seed           initialisation, data order and augmentation all derive from it (or `seed` beside `recipe`, below)
//   checkpoints    iterations to save, 0 and the final iteration included (the sweep fan-out is planned from them)
// A setting's replicates (pipeline.yaml's `seeds` fan-out) give the seed beside the recipe, { "recipe": {…}, "seed": N }, so
// adding a seed to the list changes no other replicate's params. A recipe that holds a seed of its own then is refused.
// With $PIPELINE_SCRATCH set, checkpoints and resume state are kept there; a rerun after a crash continues from the last checkpoint.
//
// A child for the instability analysis (Frankle et al. 2020):
//   … --parent DIR --branch-iteration t --seed S
// starts from the parent train output's checkpoint θ_t (the recipe must be the parent's) and trains to the recipe's end with
// data order and augmentation from seed S; the schedule continues from t. It writes only the final checkpoint, and train.json
// records branched_from. With S = the parent's seed and momentum 0 the child's final weights are the parent's, byte for byte.
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { writeMetrics } from '../src/artifacts/metrics.js';
import { writeTrainRecord } from '../src/artifacts/train-record.js';
import { openDataset } from '../src/ml/datasets/dataset.js';
import { buildModel } from '../src/ml/models/registry.js';
import { parseRecipe, type Recipe } from '../src/ml/training/recipe.js';
import { branchStart, type BranchStart } from './support/branch-start.js';
import { train } from '../src/ml/training/train.js';
import { peakRssMb, readParams, startBackend } from './support/compute-stage.js';
import { stageEnv } from './support/stage-env.js';
import { runStage, UsageError } from './support/stage-main.js';

interface Options {
  setting: string;
  data: string;
  out: string;
  backend?: string;
  params?: string;
  parent?: string;
  branchIteration?: string;
  seed?: string;
}

const program = new Command('train')
  .description('Train one setting, writing checkpoints, train.json and metrics.json into --out.')
  .requiredOption('--setting <key>', 'setting name (e.g. mnist_lenet_300_100)')
  .requiredOption('--data <dir>', 'dataset directory (the fetch-data stage output)')
  .requiredOption('--out <dir>', 'output directory (the stage ${out})')
  .option('--backend <name>', 'force a backend: tensorflow-gpu, webgpu, tensorflow, wasm, cpu (default $PIPELINE_BACKEND or the best available)')
  .option('--params <file>', 'params JSON (default $PIPELINE_PARAMS)')
  .option('--parent <dir>', 'train a child: the parent train stage output whose checkpoint it starts from (needs --branch-iteration and --seed)')
  .option('--branch-iteration <t>', 'the parent checkpoint iteration the child starts from')
  .option('--seed <n>', "the child's data-order and augmentation seed (replaces recipe.seed)")
  .exitOverride();

function nonNegativeInteger(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`${flag} ${value ?? '(missing)'}: expected a non-negative integer`);
  return n;
}

/** The run's seed from params.seed (a replicate of the fan-out) when given; it may not also be in the recipe. */
function withReplicateSeed(recipe: Recipe, params: Record<string, unknown>): Recipe {
  if (params.seed === undefined) return recipe;
  const seed = params.seed;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`params.seed ${JSON.stringify(seed)}: expected a non-negative integer`);
  if (Object.hasOwn(params.recipe as object, 'seed')) {
    throw new UsageError(`params.seed ${seed} and recipe.seed ${JSON.stringify((params.recipe as { seed?: unknown }).seed)}: give the seed in one place (pipeline.yaml's seeds list)`);
  }
  return { ...recipe, seed };
}

async function main(): Promise<void> {
  program.parse();
  const options = program.opts<Options>();
  const params = await readParams(options.params);
  if (params.recipe === undefined) throw new UsageError('params have no "recipe" (set $PIPELINE_PARAMS or --params to a JSON file with { "recipe": {…} })');
  let recipe: Recipe;
  try {
    recipe = parseRecipe(params.recipe);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  recipe = withReplicateSeed(recipe, params);
  const branching = options.parent !== undefined || options.branchIteration !== undefined || options.seed !== undefined;
  if (branching && (options.parent === undefined || options.branchIteration === undefined || options.seed === undefined)) {
    throw new UsageError('a child needs all of --parent, --branch-iteration and --seed');
  }
  const backend = await startBackend('train', options.backend);
  const data = await openDataset(options.data);
  const model = buildModel(recipe.model, data.train.shape, data.train.classes);
  const parentSeed = recipe.seed;
  let branch: BranchStart | undefined;
  if (branching) {
    branch = await branchStart(options.parent!, nonNegativeInteger('--branch-iteration', options.branchIteration), options.setting, recipe, model, data.train.count);
    recipe = { ...recipe, seed: nonNegativeInteger('--seed', options.seed), checkpoints: [branch.finalIteration] };
  }

  const scratch = stageEnv().scratch;
  const checkpointDir = join(scratch ?? options.out, 'checkpoints');
  const began = performance.now();
  const result = await train({
    setting: options.setting,
    model,
    recipe,
    data,
    backend: backend.backend,
    checkpointDir,
    resumeDir: scratch,
    log: (line) => console.log(`train: ${line}`),
    branch,
  });
  const seconds = (performance.now() - began) / 1000;

  await mkdir(options.out, { recursive: true });
  if (scratch) {
    // Copy under a temporary name, then rename: a crash here leaves no half-written checkpoints dir in the output.
    const temp = join(options.out, `.checkpoints-${process.pid}`);
    await cp(checkpointDir, temp, { recursive: true });
    await rm(join(options.out, 'checkpoints'), { recursive: true, force: true }); // a rerun into the same --out
    await rename(temp, join(options.out, 'checkpoints'));
  }
  await writeTrainRecord(options.out, {
    setting: options.setting,
    model: model.name,
    iterations: result.iterations,
    final_iteration: result.finalIteration,
    seed: recipe.seed,
    backend: backend.backend,
    final: { test_loss: result.final.loss, test_accuracy: result.final.accuracy },
    history: result.history,
    ...(branch ? { branched_from: { iteration: branch.iteration, parent_seed: parentSeed } } : {}),
  });
  await writeMetrics(options.out, { final_test_loss: result.final.loss, final_test_accuracy: result.final.accuracy });
  const steps = result.finalIteration - (branch?.iteration ?? 0);
  console.log(
    `train: ${options.setting} done: ${steps} iterations${branch ? ` (from ${branch.iteration})` : ''} in ${seconds.toFixed(1)} s ` +
      `(${((1000 * seconds) / Math.max(1, steps)).toFixed(2)} ms/iteration incl. evaluation), ` +
      `final test loss ${result.final.loss.toFixed(4)}, accuracy ${result.final.accuracy.toFixed(4)}, peak RSS ${peakRssMb()} MB`,
  );
}

runStage('train', main);
