// The batch script: its #SBATCH lines, and what it does when run (by bash directly; sbatch runs it the same way).
import { execa } from 'execa';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CACHE_NOT_VISIBLE_EXIT, renderBatchScript, writeBatchScript } from '../../../../src/engine/executors/slurm/batch-script.js';
import type { SlurmJob } from '../../../../src/engine/executors/slurm/types.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'linpath-batch-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function job(overrides: Partial<SlurmJob> = {}): SlurmJob {
  return {
    name: 'sweep@mnist@100',
    runTag: 'linpath-run-1',
    command: 'echo "in $PWD with $GREETING"',
    cwd: dir,
    env: { GREETING: 'it\'s 100% "quoted" $HOME' },
    gpus: 0,
    cpus: 2,
    logPath: path.join(dir, 'logs', 'sweep 50%.log'),
    cacheDir: dir,
    scriptDir: path.join(dir, 'scripts'),
    ...overrides,
  };
}

describe('renderBatchScript', () => {
  it('writes the #SBATCH options the job asks for, and only those', () => {
    const lines = renderBatchScript(job({ gpus: 2, partition: 'gpu', account: 'lab', time: '1:00:00', extraArgs: ['--mem=4G'] }))
      .split('\n')
      .filter((line) => line.startsWith('#SBATCH'));
    expect(lines).toEqual([
      '#SBATCH --job-name="linpath-run-1"',
      '#SBATCH --comment="sweep@mnist@100"',
      `#SBATCH --output="${path.join(dir, 'logs', 'sweep 50%%.log')}"`,
      '#SBATCH --open-mode="append"',
      '#SBATCH --gres="gpu:2"',
      '#SBATCH --cpus-per-task="2"',
      '#SBATCH --partition="gpu"',
      '#SBATCH --account="lab"',
      '#SBATCH --time="1:00:00"',
      '#SBATCH --mem=4G',
    ]);
    const cpuOnly = renderBatchScript(job());
    expect(cpuOnly).not.toContain('--gres');
    expect(cpuOnly).not.toContain('--partition');
  });

  it('refuses values that would break out of an #SBATCH line', () => {
    expect(() => renderBatchScript(job({ runTag: 'a"b' }))).toThrow(/double quote/);
    expect(() => renderBatchScript(job({ extraArgs: ['--mem=1G\n#SBATCH --x'] }))).toThrow(/extra sbatch argument/);
    expect(() => renderBatchScript(job({ gpus: 1.5 }))).toThrow(/gpus/);
    expect(() => renderBatchScript(job({ env: { 'BAD-NAME': '1' } }))).toThrow(/BAD-NAME/);
  });
});

describe('writeBatchScript', () => {
  it('writes an executable script that exports the env, enters cwd and keeps the exit code', async () => {
    const script = await writeBatchScript(job({ command: 'echo "in $PWD with $GREETING; devices=[$CUDA_VISIBLE_DEVICES]"; exit 42' }));
    expect((await stat(script)).mode & 0o111).not.toBe(0);
    // Created up front because Slurm would not create it.
    expect((await stat(path.join(dir, 'logs'))).isDirectory()).toBe(true);
    const result = await execa(script, [], { reject: false, cwd: '/', env: { CUDA_VISIBLE_DEVICES: '3' } });
    expect(result.exitCode).toBe(42);
    expect(result.stdout).toBe(`in ${dir} with it's 100% "quoted" $HOME; devices=[]`);
  });

  it(`fails with exit ${CACHE_NOT_VISIBLE_EXIT} and says why when the cache directory is not visible`, async () => {
    const marker = path.join(dir, 'ran');
    const missing = path.join(dir, 'not-mounted', 'cache');
    const script = await writeBatchScript(job({ cacheDir: missing, command: `touch ${marker}` }));
    const result = await execa(script, [], { reject: false });
    expect(result.exitCode).toBe(CACHE_NOT_VISIBLE_EXIT);
    expect(result.stderr).toBe(`cache directory ${missing} is not visible on node ${os.hostname()}: the cache must live on a filesystem every node sees`);
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
  });
});
