// `pipeline status` describes a stage's last run from the run record in its cache entry, old records included.
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/engine/cache/store.js';
import { describeRun } from '../../src/engine/status/last-run.js';

const record = (extra: Partial<RunRecord>): RunRecord => ({
  stage: 'train@a',
  key: 'k',
  output_hash: 'h',
  duration_s: 12.345,
  ran_on: { host: 'gpu-box', executor: 'local' },
  record: { cmd: '', params: {}, deps: {}, needs: {}, env: {}, toolchain: {} },
  ...extra,
});

describe('describeRun', () => {
  it('says how long, where, on which GPUs and when', () => {
    expect(describeRun(record({ ran_on: { host: 'node3', executor: 'slurm', gpus: '0,1' }, run_id: 'r1', finished: '2026-11-29T21:03:59.123Z' }))).toBe(
      'took 12.3 s on node3 (slurm, GPUs 0,1), 2026-11-29 21:03 UTC',
    );
  });

  it('writes long runs in minutes or hours', () => {
    expect(describeRun(record({ duration_s: 125.4 }))).toBe('took 2 min 5 s on gpu-box (local)');
    expect(describeRun(record({ duration_s: 3 * 3600 + 7 * 60 + 1 }))).toBe('took 3 h 7 min on gpu-box (local)');
  });

  it('leaves the time out for an entry written before run records kept it', () => {
    expect(describeRun(record({}))).toBe('took 12.3 s on gpu-box (local)');
  });
});
