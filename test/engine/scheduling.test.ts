import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Project, type Recorded } from './rig.js';

let project: Project;
beforeEach(() => (project = new Project()));
afterEach(() => project.cleanup());

interface Interval {
  name: string;
  start: number;
  end: number;
  cuda: string;
}

/** Start and end of every stage, from the records of `shellStage` (or of the fake stage program). */
function intervals(): Interval[] {
  const records = project.recorded() as (Recorded & { at?: number })[];
  const starts = new Map(records.filter((entry) => entry.event === 'start').map((entry) => [entry.name, entry]));
  return records
    .filter((entry) => entry.event === 'end')
    .map((end) => ({ name: end.name, start: end.at ?? end.started, end: end.at ?? end.ended!, cuda: end.cuda ?? '' }))
    .map((interval) => ({ ...interval, start: (starts.get(interval.name) as { at?: number })?.at ?? interval.start }));
}

/** How many intervals overlap the instant t. */
function runningAt(all: Interval[], t: number): Interval[] {
  return all.filter((interval) => interval.start <= t && t < interval.end);
}

function gpuPipeline(p: Project, count: number, sleep: number, gpus = 1): string {
  const items = Array.from({ length: count }, (_, index) => `s${index}`).join(', ');
  return `stages:\n  sweep:\n    foreach: [${items}]\n    do:\n      cmd: ${JSON.stringify(p.shellStage(sleep / 1000))}\n      resources: { gpu: ${gpus} }\n`;
}

describe('GPU leases', () => {
  it('two GPU stages never share a device, and the pool stays full while work remains', async () => {
    project.pipeline(gpuPipeline(project, 9, 700));
    const result = await project.run(['run', '--gpus', '0,1,2', '--jobs', '1']);
    expect(result.code).toBe(0);
    const all = intervals();
    expect(all).toHaveLength(9);
    for (const interval of all) expect(['0', '1', '2']).toContain(interval.cuda);
    for (const a of all) {
      for (const b of all) {
        if (a !== b && a.cuda === b.cuda) expect(a.end <= b.start || b.end <= a.start, `${a.name} and ${b.name} overlap on GPU ${a.cuda}`).toBe(true);
      }
    }
    // The pool stays full: every device starts at once (with --jobs 1: GPU stages hold GPUs, not CPU
    // slots), gets three stages, and idles between two of them only for a process start-up.
    const starts = all.map((interval) => interval.start).sort((a, b) => a - b);
    for (const device of ['0', '1', '2']) {
      const mine = all.filter((interval) => interval.cuda === device).sort((a, b) => a.start - b.start);
      expect(mine, `GPU ${device}`).toHaveLength(3);
      expect(mine[0].start - starts[0], `GPU ${device} starts late`).toBeLessThan(300);
      for (let i = 1; i < mine.length; i++) expect(mine[i].start - mine[i - 1].end, `GPU ${device} idles`).toBeLessThan(300);
    }
    // Nine 0.7 s stages on three GPUs: three waves, not nine.
    const makespan = Math.max(...all.map((i) => i.end)) - starts[0];
    expect(makespan).toBeLessThan(9 * 700 * 0.6);
  });

  it('a stage asking for two GPUs sees two distinct ids', async () => {
    project.pipeline(gpuPipeline(project, 3, 200, 2));
    const result = await project.run(['run', '--gpus', '3,5,7,9']);
    expect(result.code).toBe(0);
    for (const interval of intervals()) {
      const ids = interval.cuda.split(',');
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(2);
    }
  });

  it('GPUs come from CUDA_VISIBLE_DEVICES, else nvidia-smi; stages without a GPU see none', async () => {
    project.pipeline(`${gpuPipeline(project, 2, 10)}  cpu:\n    cmd: ${project.stage()}\n`);
    await project.run(['run'], { CUDA_VISIBLE_DEVICES: '4,6' });
    const fromEnv = project.recorded().filter((entry) => entry.event === 'start');
    expect(fromEnv).toHaveLength(3);
    expect(
      fromEnv
        .filter((entry) => entry.name.startsWith('sweep'))
        .map((entry) => entry.cuda)
        .sort(),
    ).toEqual(['4', '6']);
    expect(fromEnv.find((entry) => entry.name === 'cpu')!.cuda).toBe('');
    project.takeStarted();

    const bin = path.join(project.dir, 'fake-bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'nvidia-smi'), '#!/bin/sh\nprintf "0\\n1\\n"\n', { mode: 0o755 });
    await project.run(['run', '--force'], { CUDA_VISIBLE_DEVICES: undefined, PATH: `${bin}:${process.env.PATH}` });
    const fromSmi = project.recorded().filter((entry) => entry.event === 'start' && entry.name.startsWith('sweep'));
    expect(fromSmi.map((entry) => entry.cuda).sort()).toEqual(['0', '1']);
  });

  it('with no GPU, GPU stages run on CPU within --jobs slots', async () => {
    project.pipeline(gpuPipeline(project, 4, 400));
    const result = await project.run(['run', '--gpus', 'none', '--jobs', '2']);
    expect(result.code).toBe(0);
    const all = intervals();
    expect(all.every((interval) => interval.cuda === '')).toBe(true);
    expect(Math.max(...all.map((interval) => runningAt(all, interval.start + 1).length))).toBe(2);
  });

  it('a stage that needs more GPUs than exist is refused before anything runs', async () => {
    project.pipeline(gpuPipeline(project, 1, 10, 4));
    const result = await project.run(['run', '--gpus', '0,1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('stage "sweep@s0" needs 4 GPUs but only 2 are available (0,1)');
    expect(project.recorded()).toEqual([]);
  });
});

describe('CPU slots', () => {
  it('ready stages run concurrently, never more than --jobs at once', async () => {
    const items = Array.from({ length: 6 }, (_, index) => `c${index}`).join(', ');
    project.pipeline(`stages:\n  work:\n    foreach: [${items}]\n    do:\n      cmd: ${JSON.stringify(project.shellStage(0.4))}\n`);
    await project.run(['run', '--jobs', '3']);
    const all = intervals();
    const peak = Math.max(...all.map((interval) => runningAt(all, interval.start + 1).length));
    expect(peak).toBe(3);
  });
});
