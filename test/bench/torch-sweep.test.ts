// The benchmark's two sides compute the same curve: torch_sweep.py and the sweep stage on the harness's synthetic checkpoints.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticTrain } from '../../bench/sweep/checkpoints.mjs';
import type { SweepPoint } from '../../src/artifacts/sweep-output.js';
import { python, torchAvailable } from '../helpers/python-torch.js';
import { writeMnistDataset } from '../ml/datasets/fixtures.js';

const hasTorch = torchAvailable('the PyTorch cross-check');
const hasSweepStage = existsSync('stages/sweep.ts');

let work: string;
let data: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'linpath-torch-sweep-'));
  data = path.join(work, 'mnist');
  await writeMnistDataset(data, 16, 64);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

type Row = Pick<SweepPoint, 'x' | 'test_loss' | 'test_error'>;

describe.skipIf(!hasTorch)('bench/sweep/torch_sweep.py (needs python3-torch)', () => {
  for (const model of ['lenet_300_100', 'conv_bn'] as const) {
    it.skipIf(!hasSweepStage)(`matches the sweep stage on ${model}`, async () => {
      const train = await writeSyntheticTrain(path.join(work, model), model, 50);
      const args = ['--start', path.join(train, 'checkpoints/it0.safetensors'), '--end', path.join(train, 'checkpoints/it50.safetensors')];
      const torch = await execa(python, ['bench/sweep/torch_sweep.py', ...args, '--data', data, '--points', '7', '--batch', '16'], { env: { OMP_NUM_THREADS: '1' } });
      const report = JSON.parse(torch.stdout) as { rows: Row[]; points: number; examples: number; multiply_adds_per_example: number };
      expect([report.points, report.examples]).toEqual([7, 64]);
      expect(report.multiply_adds_per_example).toBe(model === 'lenet_300_100' ? 266_200 : 14 * 14 * 16 * 25 + 7 * 7 * 16 * 16 * 9 + 784 * 10);

      const out = path.join(work, `${model}-sweep`);
      const ours = await execa('node', ['--import', 'tsx', 'stages/sweep.ts', '--train', train, '--data', data, '--iteration', '0', '--points', '7', '--out', out], { all: true, reject: false });
      expect(ours.exitCode, ours.all).toBe(0);
      const rows = JSON.parse(await readFile(path.join(out, 'sweep.json'), 'utf8')).rows as Row[];
      expect(rows).toHaveLength(7);
      rows.forEach((row, i) => {
        const peer = report.rows[i]!;
        expect(row.x).toBeCloseTo(peer.x, 12);
        expect(Math.abs(row.test_loss - peer.test_loss) / peer.test_loss).toBeLessThan(1e-5);
        expect(row.test_error).toBeCloseTo(peer.test_error, 12);
      });
      // Random endpoints: the curve is not flat, so agreement is not trivial.
      expect(new Set(report.rows.map((r) => r.test_loss.toFixed(4))).size).toBeGreaterThan(3);
    });
  }

  it('says so and exits 3 when torch cannot be imported', async () => {
    const run = await execa(python, ['-S', 'bench/sweep/torch_sweep.py', '--start', 'a', '--end', 'b', '--data', data], { reject: false, env: { PYTHONPATH: '' } });
    expect(run.exitCode).toBe(3);
    expect(JSON.parse(run.stdout).error).toMatch(/torch not available/);
  });
});
