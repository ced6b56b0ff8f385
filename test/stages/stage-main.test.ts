import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const support = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../stages/support/stage-main.ts');

function runWith(body: string, options = '{}'): Promise<{ code: number; stderr: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-stage-main-'));
  const file = path.join(dir, 'stage.ts');
  fs.writeFileSync(file, `import { runStage } from ${JSON.stringify(support)};\nrunStage('demo', async () => { ${body} }, ${options});\n`);
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', file], { cwd: path.dirname(support) }, (error, _stdout, stderr) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code: error ? (error.code as number) : 0, stderr });
    });
  });
}

describe('runStage', () => {
  it('turns a wasm abort (its heap exhausted) into one line that says what to do', async () => {
    const result = await runWith(`throw new WebAssembly.RuntimeError('Aborted(). Build with -sASSERTIONS for more info.');`);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('demo: the wasm backend aborted (Aborted(). Build with -sASSERTIONS for more info.), most often because its heap (at most 4 GB) is exhausted');
  });

  it('a typed error is one line with its reason; a bug keeps its stack', async () => {
    const typed = await runWith(`throw Object.assign(new Error('no such file x'), { reason: 'missing-input' });`);
    expect(typed.code).toBe(1);
    expect(typed.stderr.trim()).toBe('demo: no such file x [missing-input]');
    const bug = await runWith(`throw new TypeError('x is undefined');`);
    expect(bug.code).toBe(1);
    expect(bug.stderr).toContain('demo: unexpected failure TypeError: x is undefined');
  });

  it('a typed error whose reason its class calls a usage error exits 2 with one line; another reason exits 1', async () => {
    const computeError = JSON.stringify(path.resolve(path.dirname(support), '../../src/ml/compute-error.ts'));
    const usage = await runWith(`const { ComputeError } = await import(${computeError}); throw new ComputeError('unknown-model', 'model "lenet_9" is unknown');`);
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim()).toBe('demo: model "lenet_9" is unknown');
    const failure = await runWith(`const { ComputeError } = await import(${computeError}); throw new ComputeError('loss-not-finite', 'the loss is NaN at step 3');`);
    expect(failure.code).toBe(1);
    expect(failure.stderr.trim()).toBe('demo: the loss is NaN at step 3 [loss-not-finite]');
    // A reason alone, on an error of no class, is no usage error.
    expect((await runWith(`throw Object.assign(new Error('model "lenet_9" is unknown'), { reason: 'unknown-model' });`)).code).toBe(1);
  });
});
