// Every typed error of linpath shares one base, and its class's table decides which reasons are usage errors (exit 2).
import { describe, expect, it } from 'vitest';
import { ArtifactError } from '../src/artifacts/errors.js';
import { ExitCode, PipelineError } from '../src/engine/errors.js';
import { SlurmError } from '../src/engine/executors/slurm/errors.js';
import { BarrierError } from '../src/ml/barriers/errors.js';
import { ComputeError } from '../src/ml/compute-error.js';
import { DataError } from '../src/ml/datasets/errors.js';
import { ReportError } from '../src/report/errors.js';
import { TypedError } from '../src/typed-error.js';

describe('TypedError', () => {
  it('is the base of every error class, which keeps its reason, name and cause', () => {
    const cause = new Error('underneath');
    const errors = [
      new ArtifactError('corrupt-input', 'x.json', 'x.json: not JSON', { cause }),
      new PipelineError('spec-schema', 'bad', { cause }),
      new SlurmError('sbatch-failed', 'sbatch said no', { cause }),
      new BarrierError('bad-curve', 'too short', { cause }),
      new ComputeError('unknown-model', 'no such model', { cause }),
      new DataError('checksum-mismatch', 'bad MD5', { cause }),
      new ReportError('render-failed', 'vega failed', { cause }),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(TypedError);
      expect(error.reason).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(error.cause).toBe(cause);
      expect(error.name).toBe(error.constructor.name);
    }
  });

  it('says which reasons are usage errors', () => {
    expect(new ComputeError('unknown-model', '').usage).toBe(true);
    expect(new ComputeError('bad-recipe', '').usage).toBe(true);
    expect(new ComputeError('loss-not-finite', '').usage).toBe(false);
    expect(new DataError('unknown-dataset', '').usage).toBe(true);
    expect(new DataError('download-failed', '').usage).toBe(false);
    expect(new ReportError('bad-params', '').usage).toBe(true);
    expect(new ArtifactError('missing-input', 'f', '').usage).toBe(false);
  });

  it("the engine's errors are usage errors exactly when they exit 2", () => {
    expect(new PipelineError('spec-schema', '').usage).toBe(true);
    expect(new PipelineError('project-busy', '', { exitCode: ExitCode.projectBusy }).usage).toBe(false);
    expect(new PipelineError('stage-failed', '', { exitCode: ExitCode.stageFailed }).usage).toBe(false);
  });
});
