// stages/plane.ts end to end on a tiny MNIST-format dataset and a tiny training run: both kinds of plane, usage errors.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPlaneRecord } from '../../src/artifacts/plane-output.js';
import { readTrainRecord } from '../../src/artifacts/train-record.js';
import { writeMnistDataset } from '../ml/datasets/fixtures.js';
import { runStageProgram, tinyRecipe, writeParams } from './stage-rig.js';

let work: string;
let data: string;
let train: string;
const stage = (name: string, args: string[], extra: Record<string, string> = {}) => runStageProgram(name, args, extra);

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'linpath-plane-stage-'));
  data = path.join(work, 'mnist');
  train = path.join(work, 'train');
  await writeMnistDataset(data, 160, 40);
  const recipe = tinyRecipe({ momentum: 0, weight_decay: 0, epochs: 1, milestones: [], checkpoints: [0, 3, 10] });
  const params = await writeParams(work, 'train', { recipe });
  const run = await stage('train', ['--setting', 'tiny_lenet', '--data', data, '--out', train], { PIPELINE_PARAMS: params });
  expect(run.exitCode, run.all).toBe(0);
}, 120_000);
afterAll(() => rm(work, { recursive: true, force: true }));

describe('stages/plane.ts', () => {
  it('the plane through θ_0, θ_3, θ_T: a complete grid, the anchors evaluated where they lie, metrics; naive agrees', async () => {
    const out = path.join(work, 'plane-3');
    const run = await stage('plane', ['--train', train, '--data', data, '--plane', '3', '--grid', '4', '--out', out]);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toMatch(/4×4 grid \+ 3 anchors, linear-stem, 19 points in/);
    const record = await readPlaneRecord(out);
    expect(record).toMatchObject({ setting: 'tiny_lenet', plane: '3', kind: 'path', final_iteration: 10, method: 'linear-stem', backend: 'wasm' });
    expect(record.rows).toHaveLength(16);
    expect(record.anchors.map((p) => [p.name, p.iteration])).toEqual([
      ['theta_0', 0],
      ['theta_t', 3],
      ['theta_T', 10],
    ]);
    // θ_T evaluated at its plane coordinates is the trained network: the train stage's own final test loss.
    const trained = await readTrainRecord(train);
    expect(record.anchors[2]!.test_loss).toBeCloseTo(trained.final!.test_loss, 5);
    const metrics = JSON.parse(await readFile(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.theta_T.test_loss).toBe(record.anchors[2]!.test_loss);
    expect(metrics.grid_min_test_loss).toBe(Math.min(...record.rows.map((r) => r.test_loss)));

    const naiveOut = path.join(work, 'plane-3-naive');
    const naive = await stage('plane', ['--train', train, '--data', data, '--plane', '3', '--grid', '4', '--method', 'naive', '--out', naiveOut]);
    expect(naive.exitCode, naive.all).toBe(0);
    const reference = await readPlaneRecord(naiveOut);
    record.rows.forEach((row, k) => expect(Math.abs(row.test_loss - reference.rows[k]!.test_loss) / reference.rows[k]!.test_loss).toBeLessThan(5e-6));
  });

  it('a random plane around θ_T takes grid, span and seed from params', async () => {
    const out = path.join(work, 'plane-random');
    const params = path.join(work, 'plane.params.json');
    await writeFile(params, JSON.stringify({ grid: 3, margin: 0.2, span: 0.5, seed: 4 }));
    const run = await stage('plane', ['--train', train, '--data', data, '--plane', 'random', '--out', out], { PIPELINE_PARAMS: params });
    expect(run.exitCode, run.all).toBe(0);
    const record = await readPlaneRecord(out);
    expect(record).toMatchObject({ kind: 'random', seed: 4, a: [-0.5, 0, 0.5], b: [-0.5, 0, 0.5] });
    expect(record.rows[4]!.test_loss).toBeCloseTo(record.anchors[0]!.test_loss, 6); // the centre is θ_T
  });

  it.each([
    [['--plane', '0'], 'two points, not a plane'],
    [['--plane', '10'], 'two points, not a plane'],
    [['--plane', '7'], 'a checkpoint iteration of tiny_lenet (0, 3, 10)'],
    [['--plane', '3', '--grid', '1'], '--grid: expected an integer ≥ 2, got "1"'],
    [['--plane', '3', '--method', 'fast'], '--method: "fast", expected one of linear-stem, naive'],
  ])('%j is a usage error (exit 2) that says why', async (args, message) => {
    const run = await stage('plane', ['--train', train, '--data', data, '--out', path.join(work, 'never'), ...args]);
    expect(run.exitCode, run.all).toBe(2);
    expect(run.all).toContain(message);
  });
});
