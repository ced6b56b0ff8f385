// End to end through the real aggregate stage: what it writes is what the render stage reads (the src/artifacts contract).
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSweepOutput } from '../../src/artifacts/sweep-output.js';
import { writeTrainRecord } from '../../src/artifacts/train-record.js';
import { CIFAR, MNIST, fixtureCurve, linspace, type FixtureSetting } from '../report/fixtures.js';

let work = '';
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'linpath-render-e2e-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

const stage = (name: string, args: string[]) => execa('node', ['--import', 'tsx', `stages/${name}.ts`, ...args], { reject: false, all: true });

/** Writes train and sweep fan-out folders through src/artifacts, from the report fixtures' curves. */
async function upstreamOutputs(settings: FixtureSetting[]): Promise<{ train: string; sweeps: string }> {
  const train = join(work, 'train');
  const sweeps = join(work, 'sweep');
  for (const s of settings) {
    const final = fixtureCurve(s, s.finalIteration, 1);
    await mkdir(join(train, `${s.name}@0`), { recursive: true });
    await writeTrainRecord(join(train, `${s.name}@0`), {
      setting: s.name,
      model: 'm',
      iterations: s.checkpoints,
      final_iteration: s.finalIteration,
      seed: 0,
      backend: 'wasm',
      final: { test_loss: final.loss, test_accuracy: 1 - final.error },
      history: [],
    });
    for (const t of s.checkpoints) {
      const rows = linspace(21).map((x) => {
        const { loss, error } = fixtureCurve(s, t, x);
        return { x, test_loss: loss, test_error: error };
      });
      const dir = join(sweeps, `${s.name}@0@${t}`);
      await mkdir(dir, { recursive: true });
      await writeSweepOutput(dir, { setting: s.name, seed: 0, iteration: t, final_iteration: s.finalIteration, points: 21, bn_mode: 'interpolate', backend: 'wasm', rows });
    }
  }
  return { train, sweeps };
}

describe('render after the real aggregate stage', () => {
  it('renders every figure and table from what aggregate wrote', async () => {
    const { train, sweeps } = await upstreamOutputs([MNIST, CIFAR]);
    const aggregate = join(work, 'aggregate');
    const aggregated = await stage('aggregate', ['--sweeps', sweeps, '--train', train, '--out', aggregate]);
    expect(aggregated.exitCode, aggregated.all).toBe(0);

    const out = join(work, 'report');
    const rendered = await stage('render', ['--aggregate', aggregate, '--out', out]);
    expect(rendered.exitCode, rendered.all).toBe(0);
    expect(await readdir(out)).toHaveLength(10);

    const html = await readFile(join(out, 'index.html'), 'utf8');
    expect(html.match(/<table class="barriers"/g)).toHaveLength(2);
    expect(html).toContain(`<td>${(100 * (1 - fixtureCurve(MNIST, MNIST.finalIteration, 1).error)).toFixed(2)}</td>`);
    const figure3 = (await readFile(join(out, 'figure3.csv'), 'utf8')).trimEnd().split('\n');
    expect(figure3).toHaveLength(1 + MNIST.checkpoints.length + CIFAR.checkpoints.length);
    expect(await readFile(join(out, 'figure3.svg'), 'utf8')).toContain('barrier (a) above_start = max_x L(x) − L(0)');
  });
});
