// The run's job record: concurrent submissions all recorded, a corrupt file named, reused job ids not mistaken for ours.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findLiveJobs, forgetJobs, readJobRecord, recordJob } from '../../../../src/engine/executors/slurm/recover.js';
import type { JobStatus } from '../../../../src/engine/executors/slurm/types.js';

let dir: string;
let stateFile: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'linpath-recover-'));
  stateFile = path.join(dir, 'state', 'jobs.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (id: string, runTag = 'run-1') => ({ id, name: `stage-${id}`, runTag, submittedAt: '2026-01-01T00:00:00Z' });

describe('job record', () => {
  it('keeps every job of concurrent submissions, and forgets the ones asked', async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => recordJob(stateFile, entry(String(i + 1)))));
    expect((await readJobRecord(stateFile)).map((job) => job.id).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 1)));
    await forgetJobs(stateFile, ['3', '4']);
    expect((await readJobRecord(stateFile)).map((job) => job.id)).not.toContain('3');
    // No temporary files left next to it.
    expect(await readdir(path.dirname(stateFile))).toEqual(['jobs.json']);
  });

  it('reads a missing record as empty and names a corrupt one', async () => {
    expect(await readJobRecord(stateFile)).toEqual([]);
    await recordJob(stateFile, entry('1'));
    await writeFile(stateFile, '{"jobs": [{"id": 1');
    await expect(readJobRecord(stateFile)).rejects.toMatchObject({ reason: 'job-record-corrupt', message: expect.stringContaining(stateFile) });
    await writeFile(stateFile, '{"jobs": [{"id": 1}]}');
    await expect(readJobRecord(stateFile)).rejects.toMatchObject({ reason: 'job-record-corrupt' });
  });

  it('returns only live jobs that still carry their run tag as Slurm job name', async () => {
    for (const id of ['1', '2', '3', '4']) await recordJob(stateFile, entry(id));
    const cluster = new Map<string, JobStatus>([
      ['1', { state: 'running', jobName: 'run-1' }],
      ['2', { state: 'completed', jobName: 'run-1' }],
      ['3', { state: 'pending', jobName: 'someone-else' }], // the id was handed out again after a controller reset
      ['4', { state: 'pending', jobName: 'run-1' }],
    ]);
    const live = await findLiveJobs(stateFile, async (ids) => new Map(ids.map((id) => [id, cluster.get(id)!])));
    expect(live.map((job) => [job.id, job.status.state])).toEqual([
      ['1', 'running'],
      ['4', 'pending'],
    ]);
  });
});
