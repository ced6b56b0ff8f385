// `pipeline run --executor slurm` against the real single-node cluster of scripts/slurm (two fake GPUs).
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startLocalCluster, whySlurmUnavailable, type LocalCluster } from './executors/slurm/local-cluster.js';
import { Project, waitFor } from './rig.js';

const unavailable = whySlurmUnavailable();
if (unavailable) console.warn(`skipping the Slurm executor tests: ${unavailable}`);

let cluster: LocalCluster;
beforeAll(async () => {
  if (!unavailable) cluster = await startLocalCluster(`slurm-run-test-${process.pid}`);
}, 180_000);
afterAll(async () => {
  await cluster?.stop();
});

describe.skipIf(unavailable !== undefined)('pipeline run --executor slurm', () => {
  it('runs GPU stages as jobs: two at once on distinct devices, the third waits; results are cached and locked', async () => {
    const project = new Project();
    try {
      project.pipeline(`stages:\n  sweep:\n    foreach: [a, b, c]\n    do:\n      cmd: ${JSON.stringify(project.shellStage(2))}\n      resources: { gpu: 1 }\n`);
      const result = await project.run(['run', '--executor', 'slurm'], cluster.env);
      expect(result.stderr).toContain('3 ran');
      expect(result.code).toBe(0);
      const records = project.recorded() as unknown as { event: string; name: string; cuda: string; at: number }[];
      const spans = ['sweep@a', 'sweep@b', 'sweep@c'].map((name) => ({
        name,
        cuda: records.find((r) => r.name === name && r.event === 'start')!.cuda,
        start: records.find((r) => r.name === name && r.event === 'start')!.at,
        end: records.find((r) => r.name === name && r.event === 'end')!.at,
      }));
      for (const span of spans) expect(['0', '1']).toContain(span.cuda);
      const byStart = [...spans].sort((x, y) => x.start - y.start);
      expect(byStart[1].start).toBeLessThan(byStart[0].end); // the first two overlap…
      expect(byStart[0].cuda).not.toBe(byStart[1].cuda); // …on different devices
      expect(byStart[2].start).toBeGreaterThanOrEqual(Math.min(byStart[0].end, byStart[1].end) - 50); // the third waited
      const lock = parse(project.read('pipeline.lock'));
      expect(JSON.parse(project.read(`cache/entries/${lock.stages['sweep@a'].key}/run.json`)).ran_on.executor).toBe('slurm');
      expect((await project.run(['run', '--executor', 'slurm'], cluster.env)).stderr).toContain('0 ran, 3 fresh');
    } finally {
      project.cleanup();
    }
  }, 120_000);

  it("a failing stage's exit code and log reach the user", async () => {
    const project = new Project();
    try {
      project.pipeline(`stages:\n  bad:\n    cmd: echo about to fail; echo oops >&2; exit 3\n`);
      const result = await project.run(['run', '--executor', 'slurm'], cluster.env);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/FAILED {5}bad: Slurm job \d+ FAILED/);
      expect(result.stderr).toContain('  | about to fail');
      expect(result.stderr).toContain('  | oops');
      expect(project.read('cache/logs/bad.log')).toContain('oops');
      expect(project.entries()).toEqual([]);
    } finally {
      project.cleanup();
    }
  }, 120_000);

  it('interrupting the run cancels its jobs: none is left behind', async () => {
    const project = new Project();
    try {
      project.pipeline(`stages:\n  long:\n    foreach: [a, b, c]\n    do:\n      cmd: ${JSON.stringify(project.shellStage(60))}\n      resources: { gpu: 1 }\n`);
      const runner = project.spawn(['run', '--executor', 'slurm'], cluster.env);
      await waitFor(() => project.recorded().length >= 2, 60_000, 'two Slurm jobs to start');
      const tag = /linpath-[\w-]+/.exec(execFileSync('squeue', ['-h', '-o', '%j'], { encoding: 'utf8', env: { ...process.env, ...cluster.env } }))![0];
      expect(queue(cluster, tag).split('\n')).toHaveLength(3); // two running, one pending
      runner.kill('SIGINT');
      expect(await runner.exited).toBe(130);
      await waitFor(() => queue(cluster, tag) === '', 30_000, 'the queue to drain');
      expect(project.entries()).toEqual([]);
    } finally {
      project.cleanup();
    }
  }, 120_000);
});

describe.skipIf(unavailable !== undefined)('pipeline run --executor slurm after the runner was killed', () => {
  it('kill -9, then run again: takes over the live job instead of submitting it twice', async () => {
    const project = new Project();
    try {
      project.pipeline(
        `stages:\n  long:\n    cmd: ${JSON.stringify(`${project.shellStage(6)}; echo done > \${out}/result.txt`)}\n    resources: { gpu: 1 }\n  after:\n    cmd: cat \${in.long}/result.txt > \${out}/copy.txt\n    needs: [long]\n`,
      );
      const runner = project.spawn(['run', '--executor', 'slurm'], cluster.env);
      await waitFor(() => project.recorded().some((entry) => entry.event === 'start'), 60_000, 'the Slurm job to start');
      runner.kill('SIGKILL');
      await runner.exited;
      const rerun = await project.run(['run', '--executor', 'slurm'], cluster.env);
      expect(rerun.stderr).toMatch(/long: re-attached to Slurm job \d+ of an interrupted run/);
      expect(rerun.code).toBe(0);
      expect(project.recorded().filter((entry) => entry.event === 'start')).toHaveLength(1); // submitted once
      const lock = parse(project.read('pipeline.lock'));
      expect(Object.keys(lock.stages).sort()).toEqual(['after', 'long']);
      expect(project.entries()).toHaveLength(2);
    } finally {
      project.cleanup();
    }
  }, 120_000);

  it('a live job of a dead run whose stage no longer matches is cancelled, and the stage runs anew', async () => {
    const project = new Project();
    try {
      const yaml = (seconds: number) => `stages:\n  long:\n    cmd: ${JSON.stringify(project.shellStage(seconds))}\n    resources: { gpu: 1 }\n`;
      project.pipeline(yaml(60));
      const runner = project.spawn(['run', '--executor', 'slurm'], cluster.env);
      await waitFor(() => project.recorded().some((entry) => entry.event === 'start'), 60_000, 'the Slurm job to start');
      const tag = /linpath-[\w-]+/.exec(execFileSync('squeue', ['-h', '-o', '%j'], { encoding: 'utf8', env: { ...process.env, ...cluster.env } }))![0];
      runner.kill('SIGKILL');
      await runner.exited;
      project.pipeline(yaml(1));
      const rerun = await project.run(['run', '--executor', 'slurm'], cluster.env);
      expect(rerun.code).toBe(0);
      expect(rerun.stderr).not.toContain('re-attached');
      await waitFor(() => queue(cluster, tag) === '', 30_000, "the dead run's job to be cancelled");
    } finally {
      project.cleanup();
    }
  }, 120_000);
});

/** The jobs Slurm still knows under one job name (a run's tag), as "id STATE" lines. */
function queue(cluster: LocalCluster, name: string): string {
  return execFileSync('squeue', ['-h', '-n', name, '-o', '%i %T'], { encoding: 'utf8', env: { ...process.env, ...cluster.env } }).trim();
}
