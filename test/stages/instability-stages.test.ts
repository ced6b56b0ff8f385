// The instability analysis's stage programs end to end on a tiny MNIST-format dataset: a parent, children branched from its
// checkpoint (stages/train.ts --parent), the sweep between them (stages/sweep.ts --end), stages/instability.ts, and render.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInstability } from '../../src/artifacts/instability.js';
import { readSweepRecord } from '../../src/artifacts/sweep-output.js';
import { readTrainRecord } from '../../src/artifacts/train-record.js';
import { writeMnistDataset } from '../ml/datasets/fixtures.js';
import { runStageProgram, tinyRecipe, writeParams } from './stage-rig.js';

let work: string;
let data: string;
let parent: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'linpath-instability-stage-'));
  data = path.join(work, 'mnist');
  await writeMnistDataset(data, 160, 40);
  parent = path.join(work, 'parent');
  const run = await stage('train', ['--setting', 'tiny_lenet', '--data', data, '--out', parent], { PIPELINE_PARAMS: await params('parent', { recipe }) });
  if (run.exitCode !== 0) throw new Error(run.all);
}, 120_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

// Momentum 0: a checkpoint is then the whole optimizer state, so a child with the parent's seed replays the parent exactly.
const recipe = tinyRecipe({ momentum: 0, checkpoints: [0, 5, 20] });

const params = (name: string, value: unknown) => writeParams(work, name, value);
const stage = (name: 'train' | 'sweep' | 'instability' | 'render', args: string[], env: Record<string, string> = {}) => runStageProgram(name, args, env);

async function child(t: number, seed: number): Promise<string> {
  const out = path.join(work, `child-${t}-${seed}`);
  const run = await stage('train', ['--setting', 'tiny_lenet', '--data', data, '--parent', parent, '--branch-iteration', String(t), '--seed', String(seed), '--out', out], {
    PIPELINE_PARAMS: await params('child', { recipe }),
  });
  expect(run.exitCode, run.all).toBe(0);
  return out;
}

const final = (dir: string) => readFile(path.join(dir, 'checkpoints', 'it20.safetensors'));

describe('instability stages', () => {
  it("a child with the parent's seed ends on the parent's final weights; with another seed it does not; train.json says where it branched", async () => {
    const same = await child(5, 1);
    const other = await child(5, 2);
    expect((await final(same)).equals(await final(parent))).toBe(true);
    expect((await final(other)).equals(await final(parent))).toBe(false);
    expect(await readTrainRecord(other)).toMatchObject({ setting: 'tiny_lenet', iterations: [20], final_iteration: 20, seed: 2, branched_from: { iteration: 5, parent_seed: 1 } });
    expect((await readTrainRecord(parent)).branched_from).toBeUndefined();
  }, 120_000);

  it('the sweep to the same run given as --end is the checkpoint → final sweep, point for point', async () => {
    const sweepParams = { PIPELINE_PARAMS: await params('sweep', { points: 5, bn_mode: 'interpolate', train_loss: false }) };
    const [plain, explicit] = [path.join(work, 'sweep-plain'), path.join(work, 'sweep-explicit')];
    expect((await stage('sweep', ['--train', parent, '--data', data, '--iteration', '5', '--out', plain], sweepParams)).exitCode).toBe(0);
    expect((await stage('sweep', ['--train', parent, '--end', parent, '--data', data, '--iteration', '5', '--out', explicit], sweepParams)).exitCode).toBe(0);
    expect(await readFile(path.join(explicit, 'sweep.csv'), 'utf8')).toBe(await readFile(path.join(plain, 'sweep.csv'), 'utf8'));
    expect(await readFile(path.join(explicit, 'metrics.json'), 'utf8')).toBe(await readFile(path.join(plain, 'metrics.json'), 'utf8'));
    // Only the form with --end names its endpoints: the checkpoint → final sweep's sweep.json keeps the bytes it had.
    expect((await readSweepRecord(plain)).endpoints).toBeUndefined();
    expect((await readSweepRecord(explicit)).endpoints).toEqual({ start: { seed: 1, iteration: 5 }, end: { seed: 1, iteration: 20 } });
  }, 120_000);

  it('sweeps between two children, measures the instability and the stability point, and refuses a misspelt threshold', async () => {
    const groups = path.join(work, 'sweeps');
    for (const t of [0, 5]) {
      const [a, b] = [await child(t, 2), await child(t, 3)];
      const out = path.join(groups, `tiny_lenet@${t}`);
      const run = await stage('sweep', ['--train', a, '--end', b, '--data', data, '--out', out], { PIPELINE_PARAMS: await params('isweep', { points: 5 }) });
      expect(run.exitCode, run.all).toBe(0);
      expect((await readSweepRecord(out)).endpoints).toEqual({
        start: { seed: 2, iteration: 20, branched_from: { iteration: t, parent_seed: 1 } },
        end: { seed: 3, iteration: 20, branched_from: { iteration: t, parent_seed: 1 } },
      });
    }
    const analysis = path.join(work, 'instability');
    const run = await stage('instability', ['--sweeps', groups, '--out', analysis], { PIPELINE_PARAMS: await params('thresholds', { error: 1, loss: 10 }) });
    expect(run.exitCode, run.all).toBe(0);
    const document = await readInstability(analysis);
    expect(document.settings.tiny_lenet!.rows.map((r) => [r.iteration, r.seeds])).toEqual([
      [0, [2, 3]],
      [5, [2, 3]],
    ]);
    expect(document.settings.tiny_lenet!.stability_point).toEqual({ error: 0, loss: 0 }); // thresholds no curve can exceed
    const metrics = JSON.parse(await readFile(path.join(analysis, 'metrics.json'), 'utf8'));
    expect(Object.keys(metrics.tiny_lenet)).toEqual([
      'error_instability_it0',
      'loss_instability_it0',
      'error_instability_it5',
      'loss_instability_it5',
      'error_stability_point',
      'loss_stability_point',
    ]);

    const badThreshold = await stage('instability', ['--sweeps', groups, '--out', path.join(work, 'x')], { PIPELINE_PARAMS: await params('bad', { eror: 0.1 }) });
    expect(badThreshold.exitCode).toBe(2);
    expect(badThreshold.all).toContain('params.eror: unknown');
  }, 240_000);

  it('an empty group (the analysis switched off with -S instability={}) gives an empty analysis', async () => {
    const empty = path.join(work, 'no-sweeps');
    await mkdir(empty, { recursive: true });
    const out = path.join(work, 'instability-off');
    const run = await stage('instability', ['--sweeps', empty, '--out', out]);
    expect(run.exitCode, run.all).toBe(0);
    expect((await readInstability(out)).settings).toEqual({});
  }, 60_000);

  it("refuses a child whose recipe is not the parent's, or a branch point the parent has no checkpoint at", async () => {
    const run = (extra: Record<string, unknown>, t: string) =>
      params('wrong', { recipe: { ...recipe, ...extra } }).then((file) =>
        stage('train', ['--setting', 'tiny_lenet', '--data', data, '--parent', parent, '--branch-iteration', t, '--seed', '2', '--out', path.join(work, 'wrong')], { PIPELINE_PARAMS: file }),
      );
    const longer = await run({ epochs: 3 }, '5');
    expect(longer.exitCode).toBe(2);
    expect(longer.all).toContain("the parent's final iteration is 20, the child's recipe says 30");
    const missing = await run({}, '7');
    expect(missing.exitCode).toBe(2);
    expect(missing.all).toContain('has checkpoints at 0, 5, 20');
    const half = await stage('train', ['--setting', 'tiny_lenet', '--data', data, '--parent', parent, '--out', path.join(work, 'wrong')], { PIPELINE_PARAMS: await params('half', { recipe }) });
    expect(half.exitCode).toBe(2);
    expect(half.all).toContain('a child needs all of --parent, --branch-iteration and --seed');
  }, 120_000);
});
