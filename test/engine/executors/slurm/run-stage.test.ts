// What a stage runner hears from a finished Slurm job: success only for COMPLETED with exit 0, Slurm's reason otherwise.
import { describe, expect, it } from 'vitest';
import { stageExitOf } from '../../../../src/engine/executors/slurm/run-stage.js';

describe('stageExitOf', () => {
  it('passes a completed job as exit 0 with nothing to explain', () => {
    expect(stageExitOf('4', { state: 'completed', exitCode: 0, slurmState: 'COMPLETED' })).toEqual({ exitCode: 0, state: 'completed', jobId: '4' });
  });

  it("keeps a failed job's own exit code and says what Slurm said", () => {
    expect(stageExitOf('5', { state: 'failed', exitCode: 7, slurmState: 'FAILED', reason: 'NonZeroExitCode' })).toEqual({
      exitCode: 7,
      state: 'failed',
      jobId: '5',
      why: 'Slurm job 5 FAILED (NonZeroExitCode)',
    });
  });

  it('never reports success for a job that timed out, was cancelled or lost its node, even with ExitCode 0:0', () => {
    const timedOut = stageExitOf('6', { state: 'timeout', exitCode: 0, signal: 15, slurmState: 'TIMEOUT', reason: 'TimeLimit' });
    expect(timedOut).toMatchObject({ signal: 'SIGTERM', why: 'Slurm job 6 TIMEOUT (TimeLimit)' });
    expect(timedOut.exitCode).toBeUndefined();
    for (const state of ['cancelled', 'node-fail', 'out-of-memory', 'unknown'] as const) {
      const exit = stageExitOf('7', { state, exitCode: 0 });
      expect(exit.exitCode).toBe(1);
      expect(exit.why).toContain(state.toUpperCase());
    }
  });

  it('explains the failures of a node that cannot see the cache, whose own message went nowhere', () => {
    const places = { cacheDir: '/shared/cache', logPath: '/shared/cache/logs/x.log' };
    expect(stageExitOf('8', { state: 'failed', exitCode: 97, slurmState: 'FAILED' }, places).why).toBe(
      'Slurm job 8 FAILED; exit 97: the node could not see the cache directory /shared/cache (the cache must live on a filesystem every node sees)',
    );
    // What Slurm 22.05 reports when the directory of --output does not exist on the node.
    const launch = stageExitOf('9', { state: 'failed', exitCode: 0, signal: 53, slurmState: 'FAILED', reason: 'JobLaunchFailure' }, places);
    expect(launch.why).toContain('can the node write its log /shared/cache/logs/x.log?');
    expect(launch.exitCode === 0 && launch.signal === undefined).toBe(false);
  });
});
