// sacct against real slurmdbd + MariaDB: jobs the controller has forgotten are still reported with their exit codes.
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlurmClient, type SlurmJob } from '../../../../src/engine/executors/slurm/index.js';
import { startLocalCluster, whySlurmUnavailable, type LocalCluster } from './local-cluster.js';

// Opt-in: it installs MariaDB (about 100 MB) and restarts a controller of ours with accounting, which would disturb
// the cluster tests running beside it.
const unavailable =
  process.env.LINPATH_SLURM_ACCOUNTING === '1' ? whySlurmUnavailable() : 'set LINPATH_SLURM_ACCOUNTING=1 to test sacct against slurmdbd and MariaDB (installs them; restarts the local cluster)';
if (unavailable) console.warn(`skipping the Slurm accounting tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('Slurm client with accounting', () => {
  const runTag = `linpath-test-${process.pid}-accounting`;
  let cluster: LocalCluster;
  let dir: string;

  beforeAll(async () => {
    cluster = await startLocalCluster(runTag, { accounting: true, minJobAge: 2 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'linpath-slurm-acct-'));
  });

  afterAll(async () => {
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function job(name: string, command: string): SlurmJob {
    return {
      name,
      runTag,
      command,
      cwd: dir,
      env: {},
      gpus: 0,
      cpus: 1,
      logPath: path.join(dir, `${name}.log`),
      cacheDir: dir,
      scriptDir: dir,
    };
  }

  it('detects accounting and answers from sacct once the controller has forgotten the jobs', async () => {
    const client = new SlurmClient({ env: cluster.env, pollMinMs: 100, pollMaxMs: 500 });
    expect(await client.hasAccounting()).toBe(true);
    const ids = [await client.submit(job('fails', 'exit 5')), await client.submit(job('passes', 'true'))];
    await client.waitAll(ids);

    const { stdout } = await execa('scontrol', ['show', 'config'], { env: cluster.env });
    const minJobAge = Number(/^MinJobAge\s*=\s*(\d+)/m.exec(stdout)?.[1]);
    expect(minJobAge, 'the controller must forget finished jobs quickly for this test (MinJobAge)').toBeLessThanOrEqual(30);
    for (let waited = 0; ; waited += 1) {
      const known = await execa('squeue', ['-h', '-t', 'all', '-j', ids.join(','), '-o', '%i'], { env: cluster.env, reject: false });
      if (known.stdout.trim() === '') break;
      if (waited > 120) throw new Error(`the controller still knows jobs ${known.stdout.trim()} after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    const statuses = await client.poll(ids);
    expect(statuses.get(ids[0])).toMatchObject({ state: 'failed', exitCode: 5, jobName: runTag });
    expect(statuses.get(ids[1])).toMatchObject({ state: 'completed', exitCode: 0, jobName: runTag });
    // Without accounting the same jobs are simply gone.
    const blind = new SlurmClient({ env: cluster.env, accounting: false });
    expect((await blind.poll(ids)).get(ids[0])?.state).toBe('unknown');
  }, 120_000);
});
