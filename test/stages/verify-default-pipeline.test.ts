// `pipeline verify` on the default pipeline's own stage programs, shrunk to its cheapest form:
// the real fetch, train, sweep and aggregate stages on MNIST, a few optimizer steps, five-point sweeps.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { copyShrunkDefaultPipeline, pipelineIn } from './default-pipeline-copy.js';

let dir: string;

const pipeline = (args: string[]) => pipelineIn(dir, args);

beforeAll(async () => {
  dir = copyShrunkDefaultPipeline('linpath-verify-default-');
  const run = await pipeline(['run']);
  if (run.code !== 0) throw new Error(`the shrunk default pipeline failed:\n${run.stderr}`);
}, 300_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('pipeline verify on the default pipeline', () => {
  it('reproduces the training and sweep metrics, and the bytes of the dataset and of the aggregate, from the lock', async () => {
    const lock = parse(fs.readFileSync(path.join(dir, 'pipeline.lock'), 'utf8'));
    expect(Object.keys(lock.stages['sweep@mnist_lenet_300_100@1@3'].metrics)).toContain('test_loss_max');
    const result = await pipeline(['verify', 'fetch', 'train', 'sweep', 'aggregate']);
    expect(result.stdout).toContain('verify: 6 stage(s) rerun (on wasm), all within tolerance of pipeline.lock');
    expect(result.code).toBe(0);
  }, 240_000);

  it('a render-only change (a colour) reruns only the render stage', async () => {
    const spec = parse(fs.readFileSync(path.join(dir, 'pipeline.yaml'), 'utf8'));
    spec.params.report = { ...spec.params.report, colors: ['#d62728'] };
    fs.writeFileSync(path.join(dir, 'pipeline.yaml'), stringify(spec));
    const result = await pipeline(['run']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/run {8}render: param colors added/);
    // fetch, train, 3 sweeps, aggregate; the plane; 2 children, their sweep and the instability analysis: 11 fresh.
    expect(result.stderr).toContain('1 ran, 11 fresh');
    expect(fs.readFileSync(path.join(dir, 'reports/figure1.svg'), 'utf8')).toContain('#d62728');
  }, 240_000);

  it('fails on a perturbed metric and says which, by how much', async () => {
    const lockFile = path.join(dir, 'pipeline.lock');
    const original = fs.readFileSync(lockFile, 'utf8');
    const lock = parse(original);
    const metrics = lock.stages['train@mnist_lenet_300_100@1'].metrics;
    const locked = metrics.final_test_loss;
    metrics.final_test_loss = locked * 1.01;
    fs.writeFileSync(lockFile, stringify(lock));
    try {
      const result = await pipeline(['verify', 'train']);
      expect(result.code).toBe(1);
      const lines = result.stdout.trim().split('\n');
      expect(lines[0]).toBe('verify: 1 difference(s) from pipeline.lock (on wasm)');
      expect(lines[1]).toMatch(/^stage\s+metric\s+locked\s+new\s+difference$/);
      expect(lines[2]).toMatch(
        new RegExp(
          `^train@mnist_lenet_300_100@1\\s+final_test_loss\\s+${String(locked * 1.01).replace('.', '\\.')}\\s+${String(locked).replace('.', '\\.')}\\s+-\\d\\.\\d{3}e-\\d+ \\(9\\.9\\de-3 relative\\)`,
        ),
      );
    } finally {
      fs.writeFileSync(lockFile, original);
    }
  }, 240_000);
});
