// Loading the aggregate output: typed values from real-format files, one-line errors that name the file and place.
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAggregateOutput, writeAggregateOutput } from '../../src/artifacts/aggregate-output.js';
import { CIFAR, MNIST, writeAggregateFixture } from '../report/fixtures.js';
import { artifactFailure as failure } from './helpers.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'linpath-aggregate-'));
  await writeAggregateFixture(dir, [MNIST, CIFAR], 11);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('readAggregateOutput', () => {
  it('reads every curve point and each setting summary', async () => {
    const data = await readAggregateOutput(dir);
    expect(data.curves).toHaveLength((MNIST.checkpoints.length + CIFAR.checkpoints.length) * 11);
    expect(Object.keys(data.settings)).toEqual([MNIST.name, CIFAR.name]);
    expect(data.settings[CIFAR.name]!.final_iteration).toBe(CIFAR.finalIteration);
    expect(data.settings[MNIST.name]!.rows.map((r) => r.iteration)).toEqual(MNIST.checkpoints);
    expect(typeof data.curves[0]!.test_loss).toBe('number');
    expect(data.definitions.above_start).toContain('L(0)');
  });

  it('names a missing file', async () => {
    await unlink(join(dir, 'barriers.json'));
    const error = await failure(readAggregateOutput(dir));
    expect(error.reason).toBe('missing-input');
    expect(error.message).toBe(`${join(dir, 'barriers.json')}: file not found`);
  });

  it('names the line and column of a bad number in curves.csv', async () => {
    const lines = (await readFile(join(dir, 'curves.csv'), 'utf8')).split('\n');
    lines[3] = lines[3]!.replace(/,[^,]*$/, ',oops');
    await writeFile(join(dir, 'curves.csv'), lines.join('\n'));
    const error = await failure(readAggregateOutput(dir));
    expect(error.reason).toBe('corrupt-input');
    expect(error.message).toBe(`${join(dir, 'curves.csv')} line 4: column "test_error" is not a number ("oops")`);
  });

  it('names the key that is wrong in barriers.json', async () => {
    const json = JSON.parse(await readFile(join(dir, 'barriers.json'), 'utf8'));
    delete json.settings[MNIST.name].rows[2].loss.lmc;
    await writeFile(join(dir, 'barriers.json'), JSON.stringify(json));
    const error = await failure(readAggregateOutput(dir));
    expect(error.reason).toBe('corrupt-input');
    expect(error.message).toContain(`settings.${MNIST.name}.rows.2.loss`);
    expect(error.message).toContain('lmc');
  });

  it('rejects curves of a seed that barriers.json does not list for the setting', async () => {
    const lines = (await readFile(join(dir, 'curves.csv'), 'utf8')).split('\n');
    const cells = lines[1]!.split(',');
    cells[1] = '99';
    lines[1] = cells.join(',');
    await writeFile(join(dir, 'curves.csv'), lines.join('\n'));
    const error = await failure(readAggregateOutput(dir));
    expect(error.reason).toBe('corrupt-input');
    expect(error.message).toBe(`${join(dir, 'curves.csv')}: ${cells[0]} seed 99 is not among its seeds in ${join(dir, 'barriers.json')}`);
  });

  it('rejects curves of a setting that barriers.json does not know', async () => {
    await writeFile(join(dir, 'curves.csv'), 'setting,seed,iteration,x,test_loss,test_error\nghost,1,0,0,1,0.5\n');
    const error = await failure(readAggregateOutput(dir));
    expect(error.message).toContain('setting "ghost" is not in');
  });
});

describe('writeAggregateOutput', () => {
  const m = (v: number) => ({ above_start: v, above_chord: v / 2, lmc: -v, largest_bump: 0 });
  const one = (v: number) => ({ mean: v, sd: 0, min: v, max: v });
  const spreads = (v: number) => ({ above_start: one(v), above_chord: one(v / 2), lmc: one(-v), largest_bump: one(0) });
  const output = {
    curves: [
      { setting: 'a,b', seed: 3, iteration: 0, x: 0, test_loss: 2.5, test_error: 0.9 },
      { setting: 'a,b', seed: 3, iteration: 0, x: 1, test_loss: 0.1, test_error: 0.02 },
    ],
    barriers: {
      definitions: { above_start: 'max_x L(x) − L(0)' },
      settings: {
        'a,b': {
          final_iteration: 6,
          final: { test_loss: one(0.1), test_error: one(0.02) },
          rows: [{ iteration: 0, loss: spreads(0.25), error: spreads(0.5) }],
          seeds: [{ seed: 3, final: { test_loss: 0.1, test_error: 0.02 }, rows: [{ iteration: 0, loss: m(0.25), error: m(0.5) }] }],
        },
      },
    },
    metrics: { 'a,b': { final_test_loss: 0.1, checkpoints_swept: 1, seeds: 1 } },
  };

  it('writes curves.csv, barriers.csv, barriers.json and metrics.json with these exact bytes, and reads back what render needs', async () => {
    await writeAggregateOutput(dir, output);
    expect(await readFile(join(dir, 'curves.csv'), 'utf8')).toBe('setting,seed,iteration,x,test_loss,test_error\n"a,b",3,0,0,2.5,0.9\n"a,b",3,0,1,0.1,0.02\n');
    expect(await readFile(join(dir, 'barriers.csv'), 'utf8')).toBe(
      'setting,seed,iteration,quantity,above_start,above_chord,lmc,largest_bump\n"a,b",3,0,loss,0.25,0.125,-0.25,0\n"a,b",3,0,error,0.5,0.25,-0.5,0\n',
    );
    const spread = (await readFile(join(dir, 'barrier-spread.csv'), 'utf8')).split('\n');
    expect(spread[0]).toBe('setting,seeds,iteration,quantity,measure,mean,sd,min,max');
    expect(spread.slice(1, 3)).toEqual(['"a,b",1,0,loss,above_start,0.25,0,0.25,0.25', '"a,b",1,0,loss,above_chord,0.125,0,0.125,0.125']);
    expect(spread).toHaveLength(1 + 8 + 1);
    expect(await readFile(join(dir, 'barriers.json'), 'utf8')).toBe(`${JSON.stringify(output.barriers, null, 2)}\n`);
    expect(await readFile(join(dir, 'metrics.json'), 'utf8')).toBe(`${JSON.stringify(output.metrics, null, 2)}\n`);
    expect(await readAggregateOutput(dir)).toEqual({ curves: output.curves, definitions: output.barriers.definitions, settings: output.barriers.settings });
  });

  it('a barriers.json that is not JSON is a corrupt-input naming it', async () => {
    await writeFile(join(dir, 'barriers.json'), '{');
    const error = await failure(readAggregateOutput(dir));
    expect(error.reason).toBe('corrupt-input');
    expect(error.file).toBe(join(dir, 'barriers.json'));
  });
});
