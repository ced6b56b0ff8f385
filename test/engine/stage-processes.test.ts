// What a stage leaves running: killed when its shell ends, and after a kill -9 of the runner, found by process group.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createRunDir, newRunId } from '../../src/engine/cache/run-dirs.js';
import { recordStageGroup, reapDeadRuns } from '../../src/engine/execution/orphans.js';
import { alive, Project, waitFor } from './rig.js';

let project: Project;
const started: number[] = [];
beforeEach(() => (project = new Project()));
afterEach(() => {
  // Whatever a failing test left running is ours to stop.
  for (const pid of started.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  project.cleanup();
});

/** The pid a stage wrote into the project dir, remembered so the test cleans it up even when it fails. */
function pidIn(file: string): number {
  const pid = Number(project.read(file).trim());
  started.push(pid);
  return pid;
}

describe('processes a stage leaves behind', () => {
  it('a stage whose shell is killed while a background child holds its log: the run ends at once and the child dies', async () => {
    project.pipeline('stages:\n  a:\n    cmd: sleep 30 & echo $! > bg.pid; kill -9 $$\n');
    const before = Date.now();
    const result = await project.run(['run']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('FAILED     a: killed by SIGKILL');
    expect(Date.now() - before).toBeLessThan(10_000);
    // SIGKILL is sent before the run ends; the child may take a moment to die on a loaded machine.
    const child = pidIn('bg.pid');
    await waitFor(() => !alive(child), 5000, 'the background child to die');
  });

  it('background processes of a successful and of a failed stage are killed when their shell exits', async () => {
    project.pipeline('stages:\n  ok:\n    cmd: sleep 30 & echo $! > ok.pid; echo x > ${out}/x\n  bad:\n    cmd: sleep 30 & echo $! > bad.pid; exit 3\n');
    const result = await project.run(['run', '--keep-going']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('done       ok');
    const [ok, bad] = [pidIn('ok.pid'), pidIn('bad.pid')];
    await waitFor(() => !alive(ok) && !alive(bad), 5000, 'the background children to die');
  });

  it('a background writer stops with its stage: what it would have written a second later never appears', async () => {
    project.pipeline('stages:\n  a:\n    cmd: (sleep 1; echo late > late.txt; echo late > ${out}/late.txt) & echo x > ${out}/x.txt\n');
    expect((await project.run(['run'])).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(fs.existsSync(path.join(project.dir, 'late.txt'))).toBe(false);
    const key = parse(project.read('pipeline.lock')).stages.a.key as string;
    expect(fs.readdirSync(path.join(project.dir, 'cache/entries', key, 'out'))).toEqual(['x.txt']);
    const again = await project.run(['run']);
    expect(again.stderr).toContain('fresh      a');
  });
});

describe('after a kill -9 of the runner', () => {
  /** Runs a stage whose background child is started by `launch` (e.g. `env -i`), and waits until its environment is cleared. */
  async function startStageWithChild(launch: string) {
    project.pipeline(`stages:\n  a:\n    cmd: ${launch} sleep 60 & echo $! > bg.pid; wait\n`);
    const runner = project.spawn(['run']);
    await waitFor(() => fs.existsSync(path.join(project.dir, 'bg.pid')) && project.read('bg.pid').endsWith('\n'), 20_000, 'the stage to start its child');
    const child = pidIn('bg.pid');
    // Until `env -i` has exec'd sleep, the child is a copy of the shell with its environment.
    await waitFor(() => fs.readFileSync(`/proc/${child}/environ`, 'utf8') === '', 5000, 'env -i to clear the environment');
    return { runner, child };
  }

  /** kill -9 of the runner leaves `child` running; the next run cleans up after the dead run and kills it. */
  async function expectNextRunKills(runner: ReturnType<Project['spawn']>, child: number, what: string) {
    runner.kill('SIGKILL');
    await runner.exited;
    expect(alive(child)).toBe(true);

    project.pipeline('stages:\n  a:\n    cmd: echo\n');
    const rerun = await project.run(['run']);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain('cleaned up after 1 interrupted run(s)');
    await waitFor(() => !alive(child), 5000, `the ${what} child to die`);
  }

  it('a child started with env -i (no PIPELINE_RUN_ID to find it by) is killed with its stage group by the next run', async () => {
    const { runner, child } = await startStageWithChild('env -i');
    await expectNextRunKills(runner, child, 'env -i');
  });

  it('a child started with setsid env -i (another session, no PIPELINE_RUN_ID) is found below its stage shell and killed', async () => {
    const { runner, child } = await startStageWithChild('setsid env -i');
    // In a session of its own, so in no group the runner recorded.
    const session = (pid: number) => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[3];
    expect(session(child)).toBe(String(child));
    await expectNextRunKills(runner, child, 'setsid');
  });

  it('a recorded group is killed only while its leader is the recorded process or gone, never a process given the pid later', async () => {
    const tmp = path.join(project.dir, 'cache/tmp');
    const leaders = [0, 1].map(() => {
      // Leaders of their own groups, as a stage's shell is.
      const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
      child.unref();
      started.push(child.pid!);
      return child.pid!;
    });
    const runDirs = leaders.map((pid) => {
      const runDir = createRunDir(tmp, newRunId());
      const stageDir = path.join(runDir, 'a');
      fs.mkdirSync(stageDir);
      recordStageGroup(stageDir, pid);
      // A dead runner: no process has the highest pid Linux hands out.
      fs.writeFileSync(path.join(runDir, 'owner.json'), JSON.stringify({ made_by: 'linpath-run', pid: 4194304, host: os.hostname(), started: new Date().toISOString() }));
      return { runDir, groupFile: path.join(stageDir, 'group.json') };
    });
    // The second record says its leader started at another time: the pid now belongs to someone else.
    const second = JSON.parse(fs.readFileSync(runDirs[1].groupFile, 'utf8')) as { start: string };
    fs.writeFileSync(runDirs[1].groupFile, JSON.stringify({ ...second, start: String(Number(second.start) - 1) }));

    expect(reapDeadRuns(tmp).sort()).toEqual(runDirs.map(({ runDir }) => path.basename(runDir)).sort());
    await waitFor(() => !alive(leaders[0]), 5000, 'the recorded group to die');
    expect(alive(leaders[1])).toBe(true);
  });
});
