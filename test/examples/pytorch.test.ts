// Bring your own checkpoints: examples/pytorch/train_lenet.py trains in PyTorch, linpath's sweep and aggregate stages consume its
// output, and linpath's curve equals PyTorch's own evaluation of the same points.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSidecar } from '../../src/artifacts/checkpoint-sidecar.js';
import { readTrainRecord } from '../../src/artifacts/train-record.js';
import { readCheckpoint } from '../../src/ml/checkpoint/files.js';
import { buildModel } from '../../src/ml/models/registry.js';
import type { SweepPoint } from '../../src/artifacts/sweep-output.js';
import { python, torchAvailable } from '../helpers/python-torch.js';
import { writeMnistDataset } from '../ml/datasets/fixtures.js';

const hasTorch = torchAvailable('the PyTorch example');

let work: string;
let data: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'linpath-pytorch-example-'));
  data = path.join(work, 'mnist');
  await writeMnistDataset(data, 64, 40);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

type Row = Pick<SweepPoint, 'x' | 'test_loss' | 'test_error'>;

describe.skipIf(!hasTorch)('examples/pytorch (needs python3-torch)', () => {
  it('trains in PyTorch; linpath reads the checkpoints as its own and sweeps them as PyTorch evaluates them', async () => {
    const train = path.join(work, 'train');
    const params = path.join(work, 'params.json');
    const recipe = { model: 'mnist_lenet_300_100', steps: 12, lr: 0.05, batch_size: 16, checkpoints: [0, 4, 12] };
    await writeFile(params, JSON.stringify({ recipe, seed: 5 }));
    const trained = await execa(python, ['examples/pytorch/train_lenet.py', '--data', data, '--out', train, '--setting', 'torch_tiny'], {
      all: true,
      reject: false,
      env: { PIPELINE_PARAMS: params, OMP_NUM_THREADS: '1' },
    });
    expect(trained.exitCode, trained.all).toBe(0);

    // The layout linpath's own train stage writes, through linpath's validating readers.
    const record = await readTrainRecord(train);
    expect(record).toMatchObject({ setting: 'torch_tiny', model: 'mnist_lenet_300_100', iterations: [0, 4, 12], final_iteration: 12, seed: 5, backend: 'pytorch' });
    const model = buildModel(record.model, [28, 28, 1], 10);
    const weights = await readCheckpoint(path.join(train, 'checkpoints'), 12, model);
    expect([...weights.keys()].sort()).toEqual(model.tensors.map((t) => t.name).sort());
    const sidecar = await readSidecar(path.join(train, 'checkpoints'), 12);

    const sweepOut = path.join(work, 'sweep-4');
    const sweep = await execa('node', ['--import', 'tsx', 'stages/sweep.ts', '--train', train, '--data', data, '--iteration', '4', '--points', '7', '--out', sweepOut, '--backend', 'wasm'], {
      all: true,
      reject: false,
      env: { PIPELINE_PARAMS: '' },
    });
    expect(sweep.exitCode, sweep.all).toBe(0);
    const rows = JSON.parse(await readFile(path.join(sweepOut, 'sweep.json'), 'utf8')).rows as Row[];
    const peer = await execa(
      python,
      [
        'bench/sweep/torch_sweep.py',
        '--start',
        path.join(train, 'checkpoints/it4.safetensors'),
        '--end',
        path.join(train, 'checkpoints/it12.safetensors'),
        '--data',
        data,
        '--points',
        '7',
        '--batch',
        '40',
      ],
      {
        env: { OMP_NUM_THREADS: '1' },
      },
    );
    const theirs = (JSON.parse(peer.stdout) as { rows: Row[] }).rows;
    rows.forEach((row, i) => {
      expect(Math.abs(row.test_loss - theirs[i]!.test_loss) / theirs[i]!.test_loss).toBeLessThan(1e-5);
      expect(row.test_error).toBeCloseTo(theirs[i]!.test_error, 12);
    });
    // The end of linpath's curve is the network the PyTorch script evaluated when it saved it.
    expect(Math.abs(rows.at(-1)!.test_loss - sidecar.test_loss) / sidecar.test_loss).toBeLessThan(1e-5);

    // The aggregate stage reads its inputs as the runner hands over fan-out groups: a folder of one symlink a member.
    const sweeps = path.join(work, 'sweeps');
    const trains = path.join(work, 'trains');
    await mkdir(sweeps);
    await mkdir(trains);
    await symlink(sweepOut, path.join(sweeps, 'torch_tiny@5@4'));
    await symlink(train, path.join(trains, 'torch_tiny@5'));
    const aggregateOut = path.join(work, 'aggregate');
    const aggregated = await execa('node', ['--import', 'tsx', 'stages/aggregate.ts', '--sweeps', sweeps, '--train', trains, '--out', aggregateOut], { all: true, reject: false });
    expect(aggregated.exitCode, aggregated.all).toBe(0);
    const barriers = JSON.parse(await readFile(path.join(aggregateOut, 'barriers.json'), 'utf8'));
    expect(barriers.settings.torch_tiny.final.test_loss.mean).toBe(record.final!.test_loss);
    expect(barriers.settings.torch_tiny.seeds.map((s: { seed: number }) => s.seed)).toEqual([5]);
    expect(barriers.settings.torch_tiny.rows.map((r: { iteration: number }) => r.iteration)).toEqual([4]);
  }, 120_000);

  it('pipeline.pytorch.yaml wires it into a pipeline: train by PyTorch, sweep, aggregate and render by linpath', async () => {
    const dag = await execa('node', ['bin/pipeline.js', '-f', 'pipeline.pytorch.yaml', 'dag'], { all: true });
    expect(dag.all).toMatch(/train ×1 {2}← fetch_mnist/);
    expect(dag.all).toMatch(/sweep ×7 {2}← train, fetch_mnist/);
    expect(dag.all).toContain('render  ← aggregate');
  });
});
