// SlurmClient's own rules, with Slurm's programs stood in for: defaults for every job, and no unrecorded job left running.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlurmClient, type SlurmCommandRunner, type SlurmJob } from '../../../../src/engine/executors/slurm/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'linpath-client-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function fakeSbatch(): { run: SlurmCommandRunner; calls: string[][] } {
  const calls: string[][] = [];
  const run: SlurmCommandRunner = async (program, args) => {
    calls.push([program, ...args]);
    return program === 'sbatch' ? { exitCode: 0, stdout: '55\n', stderr: '' } : { exitCode: 0, stdout: '', stderr: '' };
  };
  return { run, calls };
}

function job(overrides: Partial<SlurmJob> = {}): SlurmJob {
  return {
    name: 'train@mnist',
    runTag: 'run-7',
    command: 'true',
    cwd: dir,
    env: {},
    gpus: 1,
    cpus: 2,
    logPath: path.join(dir, 'train.log'),
    cacheDir: dir,
    scriptDir: dir,
    ...overrides,
  };
}

describe('SlurmClient', () => {
  it("applies the client's partition, account, time and extra args unless the job names its own", async () => {
    const { run, calls } = fakeSbatch();
    const client = new SlurmClient({ runner: run, partition: 'gpu', account: 'lab', time: '2:00:00', extraArgs: ['--mem=8G'] });
    expect(await client.submit(job({ time: '10' }))).toBe('55');
    const script = await readFile(calls[0].at(-1)!, 'utf8');
    expect(script).toContain('#SBATCH --partition="gpu"\n#SBATCH --account="lab"\n#SBATCH --time="10"\n#SBATCH --mem=8G\n');
  });

  it('records each submitted job, and cancels one it could not record', async () => {
    const { run, calls } = fakeSbatch();
    const stateFile = path.join(dir, 'jobs.json');
    await new SlurmClient({ runner: run, stateFile }).submit(job());
    expect(JSON.parse(await readFile(stateFile, 'utf8')).jobs).toEqual([{ id: '55', name: 'train@mnist', runTag: 'run-7', submittedAt: expect.any(String) }]);

    // A file where the record's directory should be: recording fails after sbatch succeeded.
    const unwritable = path.join(stateFile, 'jobs.json');
    await expect(new SlurmClient({ runner: run, stateFile: unwritable }).submit(job())).rejects.toThrow();
    expect(calls.at(-1)).toEqual(['scancel', '55']);
  });
});
