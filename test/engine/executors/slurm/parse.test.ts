// Parsing of Slurm's text outputs (lines as slurm-wlm 22.05 prints them) and of sbatch's job id.
import { describe, expect, it } from 'vitest';
import { accountingFromConfig } from '../../../../src/engine/executors/slurm/accounting.js';
import { mapSlurmState, parseExitCode, parseSacct, parseScontrolJob, parseSqueue, queryJobs } from '../../../../src/engine/executors/slurm/poll.js';
import { parseSbatchOutput, submitBatchScript } from '../../../../src/engine/executors/slurm/submit.js';
import { SlurmError } from '../../../../src/engine/executors/slurm/errors.js';
import type { CommandResult, SlurmCommandRunner } from '../../../../src/engine/executors/slurm/command.js';

const scontrolFailed =
  'JobId=1 JobName=run tag|x UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901759 Nice=0 Account=(null) ' +
  'QOS=(null) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ' +
  'ExitCode=3:0 RunTime=00:00:00 TimeLimit=365-00:00:00 TimeMin=N/A WorkDir=/tmp Comment=a b  StdErr=/dev/null';

describe('Slurm output parsing', () => {
  it('maps every state family, including decorated words like "CANCELLED by 0"', () => {
    expect(mapSlurmState('PENDING')).toBe('pending');
    expect(mapSlurmState('COMPLETING')).toBe('running');
    expect(mapSlurmState('COMPLETED')).toBe('completed');
    expect(mapSlurmState('CANCELLED by 0')).toBe('cancelled');
    expect(mapSlurmState('CANCELLED+')).toBe('cancelled');
    expect(mapSlurmState('TIMEOUT')).toBe('timeout');
    expect(mapSlurmState('NODE_FAIL')).toBe('node-fail');
    expect(mapSlurmState('OUT_OF_MEMORY')).toBe('out-of-memory');
    expect(mapSlurmState('BOOT_FAIL')).toBe('failed');
    expect(mapSlurmState('SOMETHING_NEW')).toBe('unknown');
  });

  it('splits ExitCode into code and signal', () => {
    expect(parseExitCode('3:0')).toEqual({ exitCode: 3 });
    expect(parseExitCode('0:15')).toEqual({ exitCode: 0, signal: 15 });
    expect(parseExitCode('')).toEqual({});
  });

  it('reads squeue lines, keeping a job name that contains the separator', () => {
    const statuses = parseSqueue('1|FAILED|NonZeroExitCode|run tag|x\n2|PENDING|Resources|r\n3|RUNNING|None|r\n');
    expect(statuses.get('1')).toMatchObject({ state: 'failed', reason: 'NonZeroExitCode', jobName: 'run tag|x' });
    expect(statuses.get('2')).toMatchObject({ state: 'pending', reason: 'Resources' });
    expect(statuses.get('3')?.reason).toBeUndefined();
  });

  it('reads one scontrol line, with spaces in the job name and comment', () => {
    expect(parseScontrolJob(scontrolFailed)).toEqual({
      state: 'failed',
      slurmState: 'FAILED',
      reason: 'NonZeroExitCode',
      jobName: 'run tag|x',
      exitCode: 3,
    });
    expect(parseScontrolJob('slurm_load_jobs error: Invalid job id specified')).toBeUndefined();
  });

  it('reads sacct -P lines and ignores job steps', () => {
    const statuses = parseSacct('7|TIMEOUT|0:15|TimeLimit|r\n7.batch|CANCELLED|0:15||batch\n8|CANCELLED by 0|0:0|None|r\n');
    expect(statuses.get('7')).toMatchObject({ state: 'timeout', exitCode: 0, signal: 15, reason: 'TimeLimit' });
    expect(statuses.get('8')).toMatchObject({ state: 'cancelled', exitCode: 0 });
    expect(statuses.has('7.batch')).toBe(false);
  });

  it('takes the job id from sbatch --parsable, with or without a cluster', () => {
    expect(parseSbatchOutput('42\n')).toBe('42');
    expect(parseSbatchOutput('42;cluster1\n')).toBe('42');
    expect(parseSbatchOutput('sbatch: error: x\n')).toBeUndefined();
  });

  it('knows whether accounting is configured', () => {
    expect(accountingFromConfig('AccountingStorageType   = accounting_storage/none\n')).toBe(false);
    expect(accountingFromConfig('AccountingStorageType   = accounting_storage/slurmdbd\n')).toBe(true);
  });
});

/** A stand-in for Slurm's programs that answers from a table and remembers what it was asked. */
function fakeSlurm(answers: Record<string, CommandResult>): { run: SlurmCommandRunner; calls: string[] } {
  const calls: string[] = [];
  const run: SlurmCommandRunner = async (program, args) => {
    calls.push(`${program} ${args.join(' ')}`);
    return answers[program] ?? { exitCode: 1, stdout: '', stderr: `${program}: not in the fake` };
  };
  return { run, calls };
}

describe('queryJobs', () => {
  it('asks squeue once for all ids, then scontrol only for finished jobs without an exit code', async () => {
    const { run, calls } = fakeSlurm({
      squeue: { exitCode: 0, stdout: '1|FAILED|NonZeroExitCode|run tag|x\n2|RUNNING|None|r\n3|COMPLETED|None|r\n', stderr: '' },
      scontrol: { exitCode: 0, stdout: scontrolFailed, stderr: '' },
    });
    const statuses = await queryJobs(run, ['1', '2', '3', '4'], { accounting: false });
    expect(calls).toEqual(['squeue -h -t all -j 1,2,3,4 -o %i|%T|%r|%j', 'scontrol show job -o 1']);
    expect(statuses.get('1')).toMatchObject({ state: 'failed', exitCode: 3 });
    expect(statuses.get('2')).toMatchObject({ state: 'running' });
    expect(statuses.get('3')).toMatchObject({ state: 'completed', exitCode: 0 });
    expect(statuses.get('4')?.state).toBe('unknown');
  });

  it('treats "Invalid job id" from squeue as jobs Slurm has forgotten, and other failures as errors', async () => {
    const forgotten = fakeSlurm({ squeue: { exitCode: 1, stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified' } });
    expect((await queryJobs(forgotten.run, ['9'], { accounting: false })).get('9')?.state).toBe('unknown');
    const down = fakeSlurm({ squeue: { exitCode: 1, stdout: '', stderr: 'slurm_load_jobs error: Unable to contact slurm controller' } });
    await expect(queryJobs(down.run, ['9'], { accounting: false })).rejects.toMatchObject({
      reason: 'slurm-command-failed',
      stderr: expect.stringContaining('Unable to contact'),
    });
  });

  it('asks sacct, when accounting exists, only about the jobs the controller has forgotten', async () => {
    const { run, calls } = fakeSlurm({
      squeue: { exitCode: 0, stdout: '6|PENDING|Priority|r\n', stderr: '' },
      sacct: { exitCode: 0, stdout: '5|OUT_OF_MEMORY|0:125|None|r\n', stderr: '' },
    });
    const statuses = await queryJobs(run, ['5', '6'], { accounting: true });
    expect(calls).toEqual(['squeue -h -t all -j 5,6 -o %i|%T|%r|%j', 'sacct -P -n -X -j 5 -o JobID,State,ExitCode,Reason,JobName']);
    expect(statuses.get('5')).toMatchObject({ state: 'out-of-memory', signal: 125, reason: undefined });
    expect(statuses.get('6')).toMatchObject({ state: 'pending', reason: 'Priority' });
  });
});

describe('submitBatchScript', () => {
  it('keeps sbatch stderr in the error when submission fails', async () => {
    const { run } = fakeSlurm({ sbatch: { exitCode: 1, stdout: '', stderr: 'sbatch: error: invalid partition specified: nope' } });
    const error = await submitBatchScript(run, '/x.sbatch').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlurmError);
    expect(error).toMatchObject({ reason: 'sbatch-failed', stderr: expect.stringContaining('invalid partition') });
    expect((error as Error).message).toContain('invalid partition');
  });

  it('refuses output without a job id', async () => {
    const { run } = fakeSlurm({ sbatch: { exitCode: 0, stdout: 'Submitted batch job 5\n', stderr: '' } });
    await expect(submitBatchScript(run, '/x.sbatch')).rejects.toMatchObject({ reason: 'sbatch-unparsable' });
  });
});
