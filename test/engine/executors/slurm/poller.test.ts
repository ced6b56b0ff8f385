// The poller: one query for all watched jobs per round, back-off while nothing changes, reset when something does.
import { describe, expect, it } from 'vitest';
import { JobPoller } from '../../../../src/engine/executors/slurm/poller.js';
import type { JobState, JobStatus } from '../../../../src/engine/executors/slurm/types.js';

/** A scripted cluster: each job walks through the states given, one step per query. */
function scripted(plan: Record<string, JobState[]>) {
  const queries: { at: number; ids: string[] }[] = [];
  const step = new Map<string, number>();
  const started = Date.now();
  const query = async (ids: string[]) => {
    queries.push({ at: Date.now() - started, ids: [...ids] });
    const answer = new Map<string, JobStatus>();
    for (const id of ids) {
      const states = plan[id];
      const i = Math.min(step.get(id) ?? 0, states.length - 1);
      step.set(id, i + 1);
      answer.set(id, { state: states[i] });
    }
    return answer;
  };
  return { query, queries };
}

describe('JobPoller', () => {
  it('serves every watched job from one query per round and resolves each with its final status', async () => {
    const cluster = scripted({ a: ['pending', 'running', 'completed'], b: ['running', 'running', 'running', 'failed'] });
    const poller = new JobPoller({ query: cluster.query, minDelayMs: 10, maxDelayMs: 40 });
    const seen: JobState[] = [];
    const [a, b] = await Promise.all([poller.watch('a', (status) => seen.push(status.state)), poller.watch('b')]);
    expect(a.state).toBe('completed');
    expect(b.state).toBe('failed');
    expect(seen).toEqual(['pending', 'running', 'completed']);
    expect(cluster.queries[0].ids.sort()).toEqual(['a', 'b']);
    // Once a finished, only b is asked about.
    expect(cluster.queries.at(-1)?.ids).toEqual(['b']);
  });

  it('doubles the delay while nothing changes, up to the maximum', async () => {
    const cluster = scripted({ slow: [...Array<JobState>(6).fill('running'), 'completed'] });
    const poller = new JobPoller({ query: cluster.query, minDelayMs: 20, maxDelayMs: 80 });
    await poller.watch('slow');
    const gaps = cluster.queries.slice(1).map((q, i) => q.at - cluster.queries[i].at);
    // running (changed: min delay), then unchanged rounds: 40, 80, 80, 80 …
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    // Without the cap they would grow 160, 320, 640 ms; a loaded machine may add some delay, not that much.
    expect(gaps.slice(2).every((gap) => gap >= 78 && gap < 150)).toBe(true);
  });

  it('gives up after repeated query failures, and rejects waits when stopped', async () => {
    const failing = new JobPoller({ query: () => Promise.reject(new Error('controller down')), minDelayMs: 1, maxDelayMs: 2, maxConsecutiveFailures: 3 });
    await expect(failing.watch('x')).rejects.toThrow('controller down');
    const never = scripted({ y: ['running'] });
    const poller = new JobPoller({ query: never.query, minDelayMs: 5, maxDelayMs: 10 });
    const waiting = poller.watch('y');
    poller.stop('interrupted by the user');
    await expect(waiting).rejects.toMatchObject({ reason: 'interrupted' });
  });
});
