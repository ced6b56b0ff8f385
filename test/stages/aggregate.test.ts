// The aggregate stage on generated fan-out folders of sweep and train outputs, laid out as the runner hands them over.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'linpath-aggregate-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const FINAL = 400;
const xs = Array.from({ length: 11 }, (_, i) => i / 10);

/** A hump of height h over a line from `start` to 0.1: loss; error is a hump of height h/10 over a flat 0.05. */
function sweepJson(setting: string, iteration: number, start: number, h: number, seed = 1) {
  const rows = xs.map((x) => ({ x, test_loss: (1 - x) * start + x * 0.1 + 4 * h * x * (1 - x), test_error: 0.05 + 0.4 * h * x * (1 - x) }));
  return { setting, seed, iteration, final_iteration: FINAL, points: xs.length, bn_mode: 'interpolate', backend: 'cpu', rows };
}

function trainJson(setting: string, seed: number, accuracy: number) {
  return { setting, model: 'm', iterations: [0, 10, FINAL], final_iteration: FINAL, seed, backend: 'cpu', final: { test_loss: 0.1, test_accuracy: accuracy }, history: [] };
}

async function member(group: string, key: string, file: string, content: unknown): Promise<void> {
  // The runner hands over a folder of symlinks to cache entries; mimic that.
  const target = path.join(work, 'cache', `${path.basename(group)}-${key}`);
  await mkdir(target, { recursive: true });
  await writeFile(path.join(target, file), JSON.stringify(content));
  await mkdir(group, { recursive: true });
  await symlink(target, path.join(group, key));
}

async function layout(): Promise<{ sweeps: string; train: string }> {
  const sweeps = path.join(work, 'in', 'sweep');
  const train = path.join(work, 'in', 'train');
  for (const [setting, accuracy] of [
    ['mnist_lenet_300_100', 0.98],
    ['mnist_conv_bn', 0.99],
  ] as const) {
    await member(train, `${setting}@1`, 'train.json', trainJson(setting, 1, accuracy));
    // Iteration 10 is added before 0 to check ordering; heights shrink to 0 at the end.
    for (const [iteration, h] of [
      [10, 0.2],
      [0, 0.5],
      [FINAL, 0],
    ] as const) {
      await member(sweeps, `${setting}@1@${iteration}`, 'sweep.json', sweepJson(setting, iteration, 2.3, h));
    }
  }
  return { sweeps, train };
}

const aggregateStage = (...args: string[]) => execa('node', ['--import', 'tsx', 'stages/aggregate.ts', ...args], { reject: false, all: true });
const aggregateWith = (params: string, ...args: string[]) => execa('node', ['--import', 'tsx', 'stages/aggregate.ts', ...args], { reject: false, all: true, env: { PIPELINE_PARAMS: params } });

describe('aggregate stage', () => {
  it('writes curves, barriers and metrics for every setting and checkpoint', async () => {
    const { sweeps, train } = await layout();
    const out = path.join(work, 'out');
    const run = await aggregateStage('--sweeps', sweeps, '--train', train, '--out', out);
    expect(run.exitCode, run.all).toBe(0);

    const curves = (await readFile(path.join(out, 'curves.csv'), 'utf8')).trimEnd().split('\n');
    expect(curves[0]).toBe('setting,seed,iteration,x,test_loss,test_error');
    expect(curves).toHaveLength(1 + 2 * 3 * 11);
    expect(curves[1]).toBe('mnist_conv_bn,1,0,0,2.3,0.05');

    const barriers = (await readFile(path.join(out, 'barriers.csv'), 'utf8')).trimEnd().split('\n');
    expect(barriers[0]).toBe('setting,seed,iteration,quantity,above_start,above_chord,lmc,largest_bump');
    expect(barriers.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual(
      ['mnist_conv_bn', 'mnist_lenet_300_100'].flatMap((s) => [0, 10, FINAL].flatMap((it) => [`${s},1,${it},loss`, `${s},1,${it},error`])),
    );

    const doc = JSON.parse(await readFile(path.join(out, 'barriers.json'), 'utf8'));
    expect(Object.keys(doc.definitions)).toEqual(['above_start', 'above_chord', 'lmc', 'largest_bump']);
    const lenet = doc.settings.mnist_lenet_300_100;
    expect(lenet.final_iteration).toBe(FINAL);
    expect(lenet.final.test_error.mean).toBeCloseTo(0.02, 12);
    expect(lenet.seeds.map((seed: { seed: number }) => seed.seed)).toEqual([1]);
    const [at0, at10, atEnd] = lenet.seeds[0].rows;
    expect(at0.iteration).toBe(0);
    // Loss: line 2.3 → 0.1 plus hump 4h·x(1−x), h = 0.5: the chord gap is the hump, exactly h at x = ½.
    expect(at0.loss.above_chord).toBeCloseTo(0.5, 10);
    // Above start: max of 2.3 − 2.2x + 2x(1−x) is at x = 0.05 → off-grid; on the grid x = 0 and 0.1 give 2.3 and 2.26.
    expect(at0.loss.above_start).toBeCloseTo(0, 10);
    expect(at0.loss.lmc).toBeCloseTo(2.3 - 1.2, 10);
    // Error: flat 0.05 plus hump of height h/10.
    expect(at0.error.above_start).toBeCloseTo(0.05, 10);
    expect(at10.error.largest_bump).toBeCloseTo(0.02, 10);
    expect(atEnd.error).toEqual({ above_start: 0, above_chord: 0, lmc: 0, largest_bump: 0 });

    const metrics = JSON.parse(await readFile(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.mnist_conv_bn).toMatchObject({ final_test_error: expect.closeTo(0.01, 12), barrier_error_it0: expect.closeTo(0.05, 10), barrier_error_it10: expect.closeTo(0.02, 10) });
    expect(Object.keys(metrics.mnist_conv_bn)).not.toContain(`barrier_error_it${FINAL}`);
    expect(Object.keys(lenet)).not.toContain('dataset'); // no params: the dataset is not known
  });

  it('summarises the seeds of a setting: per-seed rows, and mean, sd and range across them', async () => {
    const { sweeps, train } = await layout();
    await member(train, 'mnist_conv_bn@2', 'train.json', trainJson('mnist_conv_bn', 2, 0.97));
    for (const [iteration, h] of [
      [0, 0.3],
      [10, 0.2],
      [FINAL, 0],
    ] as const) {
      await member(sweeps, `mnist_conv_bn@2@${iteration}`, 'sweep.json', sweepJson('mnist_conv_bn', iteration, 2.3, h, 2));
    }
    const out = path.join(work, 'out');
    const run = await aggregateStage('--sweeps', sweeps, '--train', train, '--out', out);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toContain('aggregate: mnist_conv_bn: 2 seeds, final test error 0.0200 ± 0.0141, 3 checkpoints');
    const conv = JSON.parse(await readFile(path.join(out, 'barriers.json'), 'utf8')).settings.mnist_conv_bn;
    expect(conv.seeds.map((seed: { seed: number }) => seed.seed)).toEqual([1, 2]);
    // Error rises above the start by h/10 (the hump's peak at x = ½): 0.05 and 0.03 for the two seeds at t = 0.
    expect(conv.rows[0].error.above_start).toEqual({ mean: expect.closeTo(0.04, 10), sd: expect.closeTo(0.02 * Math.SQRT1_2, 10), min: expect.closeTo(0.03, 10), max: expect.closeTo(0.05, 10) });
    const spread = (await readFile(path.join(out, 'barrier-spread.csv'), 'utf8')).split('\n');
    // Both seeds have h = 0.2 at t = 10: no spread.
    const at10 = spread
      .find((line) => line.startsWith('mnist_conv_bn,2,10,error,above_start,'))!
      .split(',')
      .slice(5)
      .map(Number);
    expect(at10[1]).toBe(0);
    at10.filter((_, i) => i !== 1).forEach((value) => expect(value).toBeCloseTo(0.02, 12));
    const metrics = JSON.parse(await readFile(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.mnist_conv_bn).toMatchObject({ seeds: 2, final_test_error: expect.closeTo(0.02, 12), barrier_error_it0: expect.closeTo(0.04, 10) });
    expect(metrics.mnist_lenet_300_100.seeds).toBe(1);
  });

  it("records each setting's dataset from its recipe when its params are the settings map", async () => {
    const { sweeps, train } = await layout();
    const params = path.join(work, 'params.json');
    await writeFile(params, JSON.stringify({ mnist_lenet_300_100: { seeds: [1], recipe: { dataset: 'mnist', model: 'lenet_300_100' } }, mnist_conv_bn: { seeds: [1], recipe: { model: 'conv_bn' } } }));
    const out = path.join(work, 'out');
    const run = await aggregateWith(params, '--sweeps', sweeps, '--train', train, '--out', out);
    expect(run.exitCode, run.all).toBe(0);
    const doc = JSON.parse(await readFile(path.join(out, 'barriers.json'), 'utf8'));
    expect(doc.settings.mnist_lenet_300_100.dataset).toBe('mnist');
    expect(Object.keys(doc.settings.mnist_lenet_300_100)[0]).toBe('dataset');
    expect(doc.settings.mnist_conv_bn.dataset).toBeUndefined();
  });

  it('fails with one line naming the file when a sweep has no matching training run, or is corrupt', async () => {
    const { sweeps, train } = await layout();
    await member(sweeps, 'other@1@0', 'sweep.json', sweepJson('other', 0, 2.3, 0.1));
    const out = path.join(work, 'out');
    const missing = await aggregateStage('--sweeps', sweeps, '--train', train, '--out', out);
    expect(missing.exitCode).toBe(1);
    expect(missing.all).toMatch(/other@1@0\/sweep\.json: no train output for other seed 1/);
    await rm(path.join(sweeps, 'other@1@0'));
    await member(sweeps, 'bad@0', 'sweep.json', { setting: 'bad', rows: 'nope' });
    const corrupt = await aggregateStage('--sweeps', sweeps, '--train', train, '--out', out);
    expect(corrupt.exitCode).toBe(1);
    expect(corrupt.all).toMatch(/bad@0\/sweep\.json: expected \{ setting, seed, iteration, final_iteration, rows/);
    expect(corrupt.all).not.toMatch(/\n\s+at /);
    const usage = await aggregateStage('--sweeps', sweeps, '--out', out);
    expect(usage.exitCode).toBe(2);
  });
});
