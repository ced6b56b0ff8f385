// Loading the aggregate output: typed values from real-format files, one-line errors that name the file and place.
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactError } from '../../src/artifacts/errors.js';
import { loadAggregate } from '../../src/report/aggregate-data.js';
import { ReportError } from '../../src/report/errors.js';
import { CIFAR, MNIST, writeAggregateFixture } from './fixtures.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'linpath-aggregate-'));
  await writeAggregateFixture(dir, [MNIST, CIFAR], 11);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

// The files are read by src/artifacts (ArtifactError); the checks across them are the report's own (ReportError).
async function failure(promise: Promise<unknown>): Promise<ReportError | ArtifactError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect([ReportError, ArtifactError].some((type) => error instanceof type)).toBe(true);
  return error as ReportError | ArtifactError;
}

describe('loadAggregate', () => {
  it('reads every curve point and each setting summary', async () => {
    const data = await loadAggregate(dir);
    expect(data.curves).toHaveLength((MNIST.checkpoints.length + CIFAR.checkpoints.length) * 11);
    expect(Object.keys(data.settings)).toEqual([MNIST.name, CIFAR.name]);
    expect(data.settings[CIFAR.name]!.final_iteration).toBe(CIFAR.finalIteration);
    expect(data.settings[MNIST.name]!.rows.map((r) => r.iteration)).toEqual(MNIST.checkpoints);
    expect(typeof data.curves[0]!.test_loss).toBe('number');
    expect(data.definitions.above_start).toContain('L(0)');
  });

  it('names a missing file', async () => {
    await unlink(join(dir, 'barriers.json'));
    const error = await failure(loadAggregate(dir));
    expect(error.reason).toBe('missing-input');
    expect(error.message).toBe(`${join(dir, 'barriers.json')}: file not found`);
  });

  it('names the line and column of a bad number in curves.csv', async () => {
    const lines = (await readFile(join(dir, 'curves.csv'), 'utf8')).split('\n');
    lines[3] = lines[3]!.replace(/,[^,]*$/, ',oops');
    await writeFile(join(dir, 'curves.csv'), lines.join('\n'));
    const error = await failure(loadAggregate(dir));
    expect(error.reason).toBe('corrupt-input');
    expect(error.message).toBe(`${join(dir, 'curves.csv')} line 4: column "test_error" is not a number ("oops")`);
  });

  it('names the key that is wrong in barriers.json', async () => {
    const json = JSON.parse(await readFile(join(dir, 'barriers.json'), 'utf8'));
    delete json.settings[MNIST.name].rows[2].loss.lmc;
    await writeFile(join(dir, 'barriers.json'), JSON.stringify(json));
    const error = await failure(loadAggregate(dir));
    expect(error.reason).toBe('corrupt-input');
    expect(error.message).toContain(`settings.${MNIST.name}.rows.2.loss`);
    expect(error.message).toContain('lmc');
  });

  it('rejects curves of a setting that barriers.json does not know', async () => {
    await writeFile(join(dir, 'curves.csv'), 'setting,iteration,x,test_loss,test_error\nghost,0,0,1,0.5\n');
    const error = await failure(loadAggregate(dir));
    expect(error.message).toContain('setting "ghost" is not in');
  });
});
