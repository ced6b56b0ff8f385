// The train and sweep stage programs end to end on a tiny MNIST-format dataset: outputs the src/artifacts readers accept, a real kill and resume, usage errors.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSidecar } from '../../src/artifacts/checkpoint-sidecar.js';
import { readSweepRecord } from '../../src/artifacts/sweep-output.js';
import { readTrainRecord } from '../../src/artifacts/train-record.js';
import { writeMnistDataset } from '../ml/datasets/fixtures.js';
import { runStageProgram, tinyRecipe, writeParams } from './stage-rig.js';

let work: string;
let data: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'linpath-train-stage-'));
  data = path.join(work, 'mnist');
  await writeMnistDataset(data, 160, 40);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const params = (name: string, value: unknown) => writeParams(work, name, value);
const recipe = tinyRecipe;
const stage = (name: 'train' | 'sweep', args: string[], env: Record<string, string> = {}) => runStageProgram(name, args, env);

describe('stages/train.ts and stages/sweep.ts', () => {
  it('train writes checkpoints, sidecars, train.json, metrics.json and the backend info; sweep writes sweep.csv and sweep.json', async () => {
    const out = path.join(work, 'train');
    const info = path.join(work, 'info.json');
    const run = await stage('train', ['--setting', 'tiny_lenet', '--data', data, '--out', out], { PIPELINE_PARAMS: await params('train', { recipe: recipe() }), PIPELINE_INFO: info });
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toContain('backend wasm');
    expect(JSON.parse(await readFile(info, 'utf8'))).toEqual({ backend: 'wasm', device: 'cpu' });
    expect((await readdir(path.join(out, 'checkpoints'))).sort()).toEqual(['it0', 'it1', 'it20', 'it5'].flatMap((it) => [`${it}.json`, `${it}.safetensors`]));
    const trainJson = await readTrainRecord(out);
    expect(trainJson).toMatchObject({ setting: 'tiny_lenet', model: 'lenet_300_100', iterations: [0, 1, 5, 20], final_iteration: 20, seed: 1, backend: 'wasm' });
    expect(trainJson.history.at(-1)).toMatchObject({ iteration: 20, lr: expect.closeTo(0.005, 10) });
    const metrics = JSON.parse(await readFile(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.final_test_loss).toBe(trainJson.final!.test_loss);
    expect(await readSidecar(path.join(out, 'checkpoints'), 20)).toMatchObject({ setting: 'tiny_lenet', iteration: 20, test_loss: trainJson.final!.test_loss, model: 'lenet_300_100' });

    const sweepOut = path.join(work, 'sweep');
    const sweep = await stage('sweep', ['--train', out, '--data', data, '--iteration', '5', '--out', sweepOut], {
      PIPELINE_PARAMS: await params('sweep', { points: 6, bn_mode: 'interpolate', train_loss: true }),
    });
    expect(sweep.exitCode, sweep.all).toBe(0);
    const csv = (await readFile(path.join(sweepOut, 'sweep.csv'), 'utf8')).trimEnd().split('\n');
    expect(csv[0]).toBe('x,test_loss,test_error,train_loss');
    expect(csv.slice(1).map((line) => Number(line.split(',')[0]))).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    const json = await readSweepRecord(sweepOut);
    expect(json).toMatchObject({ setting: 'tiny_lenet', iteration: 5, final_iteration: 20, points: 6, bn_mode: 'interpolate', backend: 'wasm' });
    expect(json.rows.at(-1)!.test_loss).toBeCloseTo(trainJson.final!.test_loss, 6);
    const it5 = await readSidecar(path.join(out, 'checkpoints'), 5);
    expect(json.rows[0]!.test_loss).toBeCloseTo(it5.test_loss, 6);

    // Worker threads share the examples and give the same bytes as one thread.
    const outputs: string[] = [];
    for (const workers of ['1', '3']) {
      const dir = path.join(work, `sweep-w${workers}`);
      const run = await stage('sweep', ['--train', out, '--data', data, '--iteration', '1', '--out', dir, '--points', '7', '--workers', workers, '--batch-size', '7']);
      expect(run.exitCode, run.all).toBe(0);
      outputs.push(await readFile(path.join(dir, 'sweep.csv'), 'utf8'));
    }
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[0].trimEnd().split('\n')).toHaveLength(8);
  }, 120_000);

  it('resumes after a SIGKILL from the last checkpoint and ends with the same final weights', async () => {
    const longer = recipe({ epochs: 50, milestones: [25], checkpoints: [0, 10, 100, 250, 500] });
    const env = async (scratch: string) => ({ PIPELINE_PARAMS: await params('long', { recipe: longer }), PIPELINE_SCRATCH: scratch });

    const reference = path.join(work, 'reference');
    const whole = await stage('train', ['--setting', 'tiny_lenet', '--data', data, '--out', reference], await env(path.join(work, 'scratch-ref')));
    expect(whole.exitCode, whole.all).toBe(0);

    const scratch = path.join(work, 'scratch-killed');
    await mkdir(scratch, { recursive: true });
    const killedOut = path.join(work, 'killed');
    const child = stage('train', ['--setting', 'tiny_lenet', '--data', data, '--out', killedOut], await env(scratch));
    const resumeFile = path.join(scratch, 'resume.json');
    while (!existsSync(resumeFile) || JSON.parse(await readFile(resumeFile, 'utf8').catch(() => '{}')).iteration < 100) {
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill('SIGKILL');
    const killed = await child;
    expect(killed.signal, 'training finished before it could be killed').toBe('SIGKILL');
    expect(existsSync(path.join(killedOut, 'train.json'))).toBe(false);

    const rerun = await stage('train', ['--setting', 'tiny_lenet', '--data', data, '--out', killedOut], await env(scratch));
    expect(rerun.exitCode, rerun.all).toBe(0);
    // Resume state is kept at checkpoints and epoch ends (10 iterations here); the kill came after iteration 100.
    const resumedAt = Number(/resuming tiny_lenet from iteration (\d+)/.exec(rerun.all)?.[1]);
    expect(resumedAt).toBeGreaterThanOrEqual(100);
    expect(resumedAt % 10).toBe(0);
    expect(rerun.all).not.toContain('checkpoint it10:');
    expect(rerun.all).not.toContain('checkpoint it100:');
    for (const it of [0, 10, 100, 250, 500]) {
      const a = await readFile(path.join(reference, 'checkpoints', `it${it}.safetensors`));
      const b = await readFile(path.join(killedOut, 'checkpoints', `it${it}.safetensors`));
      expect(a.equals(b), `it${it}`).toBe(true);
    }
    expect(existsSync(resumeFile)).toBe(false); // resume state is cleared after success
  }, 180_000);

  it('rejects bad usage with one line and exit 2', async () => {
    const noRecipe = await stage('train', ['--setting', 's', '--data', data, '--out', path.join(work, 'x')], { PIPELINE_PARAMS: await params('empty', {}) });
    expect(noRecipe.exitCode).toBe(2);
    expect(noRecipe.all).toMatch(/^train: params have no "recipe"/m);
    const badLr = await stage('train', ['--setting', 's', '--data', data, '--out', path.join(work, 'x')], { PIPELINE_PARAMS: await params('badlr', { recipe: recipe({ lr: -1 }) }) });
    expect(badLr.exitCode).toBe(2);
    expect(badLr.all).toContain('recipe.lr');
    const badMode = await stage('sweep', ['--train', path.join(work, 'train'), '--data', data, '--iteration', '5', '--out', path.join(work, 'y'), '--bn-mode', 'average']);
    expect(badMode.exitCode).toBe(2);
    expect(badMode.all).toContain('--bn-mode: "average", expected one of interpolate, recompute, endpoint');
    const badIteration = await stage('sweep', ['--train', path.join(work, 'train'), '--data', data, '--iteration', '7', '--out', path.join(work, 'y')]);
    expect(badIteration.exitCode).toBe(2);
    expect(badIteration.all).toContain('has checkpoints at 0, 1, 5, 20');
    for (const run of [noRecipe, badLr, badMode, badIteration]) expect(run.all).not.toMatch(/\n\s+at /);
  }, 120_000);
});
