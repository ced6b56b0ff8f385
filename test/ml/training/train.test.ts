// Training: learns, is deterministic for a seed, stops on a non-finite loss, and resumes to the same final weights.
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/ml/backend/select.js';
import { checkpointPath } from '../../../src/ml/checkpoint/files.js';
import { buildModel } from '../../../src/ml/models/registry.js';
import { parseRecipe, type Recipe } from '../../../src/ml/training/recipe.js';
import { train } from '../../../src/ml/training/train.js';
import { syntheticDataset } from '../helpers/synthetic.js';

beforeAll(async () => {
  await selectBackend({ forced: 'wasm' });
});

const data = syntheticDataset({ train: 200, test: 100, shape: [8, 8, 1], classes: 4 });
const fresh = () => mkdtempSync(join(tmpdir(), 'linpath-train-'));

function recipe(overrides: Partial<Recipe>): Recipe {
  // 200 examples / batch 32 → 7 iterations per epoch (the last batch is short).
  return parseRecipe({ model: 'conv_bn', lr: 0.05, momentum: 0.9, weight_decay: 1e-3, batch_size: 32, epochs: 3, milestones: [2], warmup_epochs: 1, augment: true, seed: 3, checkpoints: [0, 1, 5, 9, 21], ...overrides });
}

async function run(r: Recipe, options: { resumeDir?: string; afterStep?: (it: number) => void; dir?: string } = {}) {
  const dir = options.dir ?? fresh();
  const result = await train({ setting: 'synthetic_conv', model: buildModel(r.model, data.train.shape, data.train.classes), recipe: r, data, backend: 'wasm', checkpointDir: dir, ...options });
  return { dir, result };
}

describe('train', () => {
  it('learns the synthetic task and writes every declared checkpoint', async () => {
    const { dir, result } = await run(recipe({ model: 'lenet_300_100', momentum: 0, weight_decay: 0, warmup_epochs: 0, milestones: [], lr: 0.05 }));
    expect(result.finalIteration).toBe(21);
    expect(result.evaluations.get(0)!.accuracy).toBeLessThan(0.6);
    expect(result.final.accuracy).toBeGreaterThan(0.9);
    for (const it of [0, 1, 5, 9, 21]) await expect(readFile(checkpointPath(dir, it))).resolves.toBeInstanceOf(Buffer);
    expect(result.history.map((h) => h.iteration)).toEqual([1, 5, 7, 9, 14, 21]);
  });

  it('is deterministic for a seed, and the seed matters', async () => {
    const a = await run(recipe({}));
    const b = await run(recipe({}));
    const c = await run(recipe({ seed: 4 }));
    const bytes = async (dir: string) => readFile(checkpointPath(dir, 21));
    expect((await bytes(a.dir)).equals(await bytes(b.dir))).toBe(true);
    expect((await bytes(a.dir)).equals(await bytes(c.dir))).toBe(false);
  });

  it('resumes after a crash from the last checkpoint and ends with the same final weights', async () => {
    const reference = await run(recipe({}));
    const scratch = fresh();
    const dir = fresh();
    const crash = new Error('simulated kill');
    await expect(run(recipe({}), { resumeDir: scratch, dir, afterStep: (it) => { if (it === 12) throw crash; } })).rejects.toBe(crash);
    const steps: number[] = [];
    const lines: string[] = [];
    const resumed = await train({
      setting: 'synthetic_conv', model: buildModel('conv_bn', data.train.shape, 4), recipe: recipe({}), data, backend: 'wasm',
      checkpointDir: dir, resumeDir: scratch, afterStep: (it) => steps.push(it), log: (l) => lines.push(l),
    });
    expect(lines[0]).toBe('resuming synthetic_conv from iteration 9');
    expect(steps[0]).toBe(10); // nothing before the last checkpoint was redone
    const final = await readFile(checkpointPath(dir, 21));
    expect(final.equals(await readFile(checkpointPath(reference.dir, 21)))).toBe(true);
    expect(resumed.history).toEqual(reference.result.history);
  });

  it('stops on a non-finite loss naming the setting and the iteration', async () => {
    await expect(run(recipe({ lr: 1e12, warmup_epochs: 0, momentum: 0 }))).rejects.toMatchObject({
      reason: 'loss-not-finite',
      message: expect.stringMatching(/setting synthetic_conv: training loss became (NaN|Infinity|-Infinity) at iteration \d+/),
    });
  });

  it('refuses checkpoints that do not end at the final iteration', async () => {
    await expect(run(recipe({ checkpoints: [0, 5, 20] }))).rejects.toMatchObject({ reason: 'bad-recipe', message: expect.stringContaining('final iteration 21') });
  });
});
