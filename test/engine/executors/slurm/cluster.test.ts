// The Slurm client against a real single-node cluster with two fake GPUs (scripts/slurm/start.sh).
import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_NOT_VISIBLE_EXIT, SlurmClient, startSlurmStage, type SlurmJob, type SlurmStageExit } from '../../../../src/engine/executors/slurm/index.js';
import { startLocalCluster, whySlurmUnavailable, type LocalCluster } from './local-cluster.js';

const unavailable = whySlurmUnavailable();
if (unavailable) console.warn(`skipping the Slurm cluster tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('Slurm client on a local cluster', () => {
  const prefix = `linpath-test-${process.pid}`;
  const tags: string[] = [];
  let cluster: LocalCluster;
  let client: SlurmClient;
  let dir: string;
  let overTime: Promise<SlurmStageExit>;
  let overTimeLog: string;
  let overTimeLimit: string | undefined;

  function tag(what: string): string {
    const runTag = `${prefix}-${what}`;
    tags.push(runTag);
    return runTag;
  }

  function job(runTag: string, name: string, command: string, overrides: Partial<SlurmJob> = {}): SlurmJob {
    return {
      name,
      runTag,
      command,
      cwd: dir,
      env: { LINPATH_TEST: name },
      gpus: 0,
      cpus: 1,
      logPath: path.join(dir, 'logs', `${name}.log`),
      cacheDir: dir,
      scriptDir: path.join(dir, 'scripts'),
      ...overrides,
    };
  }

  async function squeueNames(runTag: string): Promise<string> {
    const result = await execa('squeue', ['-h', '-n', runTag, '-o', '%i %T'], { env: cluster.env });
    return result.stdout.trim();
  }

  beforeAll(async () => {
    cluster = await startLocalCluster(prefix);
    dir = await mkdtemp(path.join(os.tmpdir(), 'linpath-slurm-'));
    client = new SlurmClient({ env: cluster.env, pollMinMs: 100, pollMaxMs: 1000 });
    // Slurm counts time limits in whole minutes and enforces them every 30 s: a --time=1 job takes 60-90 s to
    // time out. So this one is submitted first, runs while the other tests do, and once running has its end
    // brought forward to now (scontrol update EndTime), which Slurm's own enforcement then acts on within 30 s.
    const timed = job(tag('timeout'), 'over-time', 'echo started; sleep 600', { time: '1' });
    overTimeLog = timed.logPath;
    const running = await startSlurmStage(client, timed);
    overTime = running.exit;
    overTime.catch(() => undefined);
    for (let i = 0; i < 100 && (await client.poll([running.jobId])).get(running.jobId)?.state !== 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const shown = await execa('scontrol', ['show', 'job', '-o', running.jobId], { env: cluster.env });
    overTimeLimit = /TimeLimit=(\S+)/.exec(shown.stdout)?.[1];
    await execa('scontrol', ['update', `JobId=${running.jobId}`, 'EndTime=now'], { env: cluster.env });
  });

  afterAll(async () => {
    client?.stopWaiting();
    for (const runTag of tags) await client?.cancelRun(runTag).catch(() => undefined);
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs two GPU jobs at once on different CUDA_VISIBLE_DEVICES while a third waits', async () => {
    const runTag = tag('gpus');
    const command = 'echo "devices=$CUDA_VISIBLE_DEVICES start=$(date +%s.%N)"; sleep 4; echo "end=$(date +%s.%N)"';
    const jobs = ['gpu-a', 'gpu-b', 'gpu-c'].map((name) => job(runTag, name, command, { gpus: 1 }));
    const ids = await Promise.all(jobs.map((j) => client.submit(j)));
    const finals = client.waitAll(ids);

    // Wait until two are running, then look at all three in one query.
    let statuses = await client.poll(ids);
    for (let i = 0; i < 50 && [...statuses.values()].filter((s) => s.state === 'running').length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      statuses = await client.poll(ids);
    }
    const states = [...statuses.values()];
    expect(states.filter((s) => s.state === 'running')).toHaveLength(2);
    // Slurm says `Resources` or, before its next scheduling pass, `Priority`: either way the third one waits.
    expect(states.filter((s) => s.state === 'pending')).toHaveLength(1);

    const done = await finals;
    expect([...done.values()].map((s) => s.state)).toEqual(['completed', 'completed', 'completed']);
    const runs = await Promise.all(
      jobs.map(async (j) => {
        const log = await readFile(j.logPath, 'utf8');
        const [, devices, start, end] = /devices=(\S*) start=(\S+)\nend=(\S+)/.exec(log) ?? [];
        return { devices, start: Number(start), end: Number(end) };
      }),
    );
    const byStart = [...runs].sort((a, b) => a.start - b.start);
    const [first, second, third] = byStart;
    expect(new Set([first.devices, second.devices])).toEqual(new Set(['0', '1']));
    expect(['0', '1']).toContain(third.devices);
    expect(second.start).toBeLessThan(first.end);
    // The third started only once a GPU was free.
    expect(third.start).toBeGreaterThanOrEqual(Math.min(first.end, second.end));
  });

  it("reports a failing job's exit code, and its log has both its streams", async () => {
    const failing = job(tag('fail'), 'failing', 'echo "to stdout $LINPATH_TEST"; echo "to stderr" >&2; exit 7');
    const running = await startSlurmStage(client, failing);
    const exit = await running.exit;
    expect(exit).toEqual({ exitCode: 7, state: 'failed', jobId: running.jobId, why: `Slurm job ${running.jobId} FAILED (NonZeroExitCode)` });
    expect(await readFile(failing.logPath, 'utf8')).toBe('to stdout failing\nto stderr\n');
  });

  it('refuses to run when the node cannot see the cache directory', async () => {
    const marker = path.join(dir, 'should-not-exist');
    const missing = path.join(dir, 'unmounted', 'cache');
    const blind = job(tag('cache'), 'blind', `touch ${marker}`, { cacheDir: missing });
    const exit = await (await startSlurmStage(client, blind)).exit;
    expect(exit).toMatchObject({ state: 'failed', exitCode: CACHE_NOT_VISIBLE_EXIT });
    expect(exit.why).toContain(`could not see the cache directory ${missing}`);
    expect(await readFile(blind.logPath, 'utf8')).toContain(`cache directory ${missing} is not visible on node ${os.hostname()}: the cache must live on a filesystem every node sees`);
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
  });

  it('cancelling a run leaves none of its jobs behind, running or pending', async () => {
    const runTag = tag('cancel');
    const ids = await Promise.all([
      client.submit(job(runTag, 'long-1', 'sleep 300')),
      client.submit(job(runTag, 'long-2', 'sleep 300')),
      // Held back by a start time an hour away: a pending job must go too.
      client.submit(job(runTag, 'later', 'sleep 300', { extraArgs: ['--begin=now+3600'] })),
    ]);
    // A runner interrupted by Ctrl-C cancels each stage it started.
    const single = await startSlurmStage(client, job(tag('kill'), 'killed', 'sleep 300'));
    await single.kill();
    expect(await single.exit).toMatchObject({ state: 'cancelled', why: expect.stringContaining('CANCELLED') });

    const before = await client.poll(ids);
    expect(before.get(ids[2])?.state).toBe('pending');
    expect(await squeueNames(runTag)).not.toBe('');

    await client.cancelRun(runTag);
    const finals = await client.waitAll(ids);
    expect([...finals.values()].map((s) => s.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(await squeueNames(runTag)).toBe('');

    // Ctrl-C while sbatch is still running: the job it is submitting must not escape the cancel.
    const racing = tag('cancel-racing');
    const inFlight = [client.submit(job(racing, 'racing-1', 'sleep 300')), client.submit(job(racing, 'racing-2', 'sleep 300'))];
    await client.cancelRun(racing);
    const racingIds = await Promise.all(inFlight);
    expect([...(await client.waitAll(racingIds)).values()].map((s) => s.state)).toEqual(['cancelled', 'cancelled']);
    expect(await squeueNames(racing)).toBe('');
  });

  it('finds the recorded jobs of a crashed run that are still live, and only those', async () => {
    const runTag = tag('recover');
    const stateFile = path.join(dir, 'state', 'slurm-jobs.json');
    const first = new SlurmClient({ env: cluster.env, stateFile, pollMinMs: 100, pollMaxMs: 1000 });
    const quickId = await first.submit(job(runTag, 'quick', 'true'));
    const slowId = await first.submit(job(runTag, 'slow', 'sleep 300'));
    expect((await first.wait(quickId)).state).toBe('completed');

    // A new runner process knows nothing but the state file.
    const restarted = new SlurmClient({ env: cluster.env, stateFile });
    const live = await restarted.findLiveJobs();
    expect(live.map((j) => ({ id: j.id, name: j.name, runTag: j.runTag }))).toEqual([{ id: slowId, name: 'slow', runTag }]);
    expect(['pending', 'running']).toContain(live[0].status.state);
    await restarted.cancel([slowId]);
    expect((await restarted.wait(slowId)).state).toBe('cancelled');
  });

  it('reports a job over its time limit as timed out', async () => {
    // The job's --time reached Slurm.
    expect(overTimeLimit).toBe('00:01:00');
    const exit = await overTime;
    expect(exit).toMatchObject({ state: 'timeout', why: `Slurm job ${exit.jobId} TIMEOUT (TimeLimit)` });
    // bash ran `sleep` as a child and died of Slurm's SIGTERM: no success code either way.
    expect(exit.exitCode !== 0 || exit.signal !== undefined).toBe(true);
    const log = await readFile(overTimeLog, 'utf8');
    expect(log).toMatch(/^started\n/);
    expect(log).toContain('DUE TO TIME LIMIT');
  }, 120_000);
});
