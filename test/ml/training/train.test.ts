// Training: learns, is deterministic for a seed, stops on a non-finite loss, and resumes to the same final weights.
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/ml/backend/select.js';
import { checkpointPath, readCheckpoint } from '../../../src/ml/checkpoint/files.js';
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
  return parseRecipe({
    model: 'conv_bn',
    lr: 0.05,
    momentum: 0.9,
    weight_decay: 1e-3,
    batch_size: 32,
    epochs: 3,
    milestones: [2],
    warmup_epochs: 1,
    augment: true,
    seed: 3,
    checkpoints: [0, 1, 5, 9, 21],
    ...overrides,
  });
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
    await expect(
      run(recipe({}), {
        resumeDir: scratch,
        dir,
        afterStep: (it) => {
          if (it === 12) throw crash;
        },
      }),
    ).rejects.toBe(crash);
    const steps: number[] = [];
    const lines: string[] = [];
    const resumed = await train({
      setting: 'synthetic_conv',
      model: buildModel('conv_bn', data.train.shape, 4),
      recipe: recipe({}),
      data,
      backend: 'wasm',
      checkpointDir: dir,
      resumeDir: scratch,
      afterStep: (it) => steps.push(it),
      log: (l) => lines.push(l),
    });
    expect(lines[0]).toBe('resuming synthetic_conv from iteration 9');
    expect(steps[0]).toBe(10); // nothing before the last checkpoint was redone
    const final = await readFile(checkpointPath(dir, 21));
    expect(final.equals(await readFile(checkpointPath(reference.dir, 21)))).toBe(true);
    expect(resumed.history).toEqual(reference.result.history);
  });

  describe('a child branched from a checkpoint (instability analysis)', () => {
    // LeNet with momentum 0: the checkpoint θ_t is the whole optimizer state, so a child with the parent's seed must replay
    // the parent's remaining steps exactly. Byte-identical, not to a tolerance: the same kernels run on the same backend in
    // the same order on the same float32 inputs (the checkpoint stores the weights bit for bit), so nothing may differ.
    const plain = () => recipe({ model: 'lenet_300_100', momentum: 0, weight_decay: 1e-4, warmup_epochs: 1, milestones: [2], augment: true });
    const branchAt = async (parentDir: string, r: Recipe, t: number, seed: number) => {
      const model = buildModel(r.model, data.train.shape, data.train.classes);
      const weights = await readCheckpoint(parentDir, t, model);
      const dir = fresh();
      const lines: string[] = [];
      const result = await train({
        setting: 'synthetic_conv',
        model,
        recipe: { ...r, seed, checkpoints: [21] },
        data,
        backend: 'wasm',
        checkpointDir: dir,
        branch: { iteration: t, weights },
        log: (l) => lines.push(l),
      });
      return { dir, result, lines };
    };
    const finalBytes = (dir: string) => readFile(checkpointPath(dir, 21));

    it("with the parent's seed and no momentum, ends on the parent's final weights byte for byte (schedule and data order continue from t)", async () => {
      const parent = await run(plain());
      // t = 5 is inside epoch 0 (warmup, 7 iterations an epoch); t = 9 is past an epoch boundary, before the lr milestone.
      for (const t of [0, 5, 9]) {
        const child = await branchAt(parent.dir, plain(), t, plain().seed);
        expect(child.lines[0]).toBe(`branching synthetic_conv from iteration ${t} with data-order seed 3`);
        expect((await finalBytes(child.dir)).equals(await finalBytes(parent.dir)), `t = ${t}`).toBe(true);
        expect(child.result.history.at(-1)).toEqual(parent.result.history.at(-1));
      }
    });

    it('with another seed, ends elsewhere; the same seed twice ends in the same place', async () => {
      const parent = await run(plain());
      const a = await branchAt(parent.dir, plain(), 5, 11);
      const b = await branchAt(parent.dir, plain(), 5, 12);
      const again = await branchAt(parent.dir, plain(), 5, 11);
      expect((await finalBytes(a.dir)).equals(await finalBytes(b.dir))).toBe(false);
      expect((await finalBytes(a.dir)).equals(await finalBytes(parent.dir))).toBe(false);
      expect((await finalBytes(a.dir)).equals(await finalBytes(again.dir))).toBe(true);
      expect(a.result.history[0]!.iteration).toBe(7); // the first row closes at the first epoch end after t
    });

    it('with momentum, the same seed does not quite replay the parent: the momentum buffers restart empty, as in open_lth', async () => {
      const parent = await run(recipe({}));
      const child = await branchAt(parent.dir, recipe({}), 9, recipe({}).seed);
      expect((await finalBytes(child.dir)).equals(await finalBytes(parent.dir))).toBe(false);
    });

    it('at the final iteration, writes the final checkpoint unchanged; past it, refuses', async () => {
      const parent = await run(plain());
      const child = await branchAt(parent.dir, plain(), 21, 99);
      expect((await finalBytes(child.dir)).equals(await finalBytes(parent.dir))).toBe(true);
      const model = buildModel('lenet_300_100', data.train.shape, 4);
      const past = train({ setting: 's', model, recipe: plain(), data, backend: 'wasm', checkpointDir: fresh(), branch: { iteration: 22, weights: new Map() } });
      await expect(past).rejects.toMatchObject({ reason: 'bad-branch', message: expect.stringContaining('runs 0 … 21') });
    });
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
