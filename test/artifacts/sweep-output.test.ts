// sweep.csv and sweep.json: the exact bytes written, the rows read back, and a malformed sweep.json named with its field.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSweepRecord, writeSweepOutput, type SweepRecord } from '../../src/artifacts/sweep-output.js';
import { artifactFailure, useScratchDir } from './helpers.js';

const scratch = useScratchDir();
const RECORD: SweepRecord = {
  setting: 'mnist_conv_bn',
  seed: 2,
  iteration: 2,
  final_iteration: 4,
  points: 3,
  bn_mode: 'endpoint',
  backend: 'wasm',
  rows: [
    { x: 0, test_loss: 2.1, test_error: 0.7729 },
    { x: 0.5, test_loss: 1.9, test_error: 0.35660000000000003 },
    { x: 1, test_loss: 1.5, test_error: 0.3 },
  ],
};

describe('sweep output', () => {
  it('writes sweep.csv with String(number) cells and sweep.json with a fixed key order, and reads them back', async () => {
    await writeSweepOutput(scratch.dir, { ...RECORD, rows: RECORD.rows.map(({ test_error, ...rest }) => ({ test_error, ...rest })) });
    expect(await readFile(join(scratch.dir, 'sweep.csv'), 'utf8')).toBe('x,test_loss,test_error\n0,2.1,0.7729\n0.5,1.9,0.35660000000000003\n1,1.5,0.3\n');
    expect(await readFile(join(scratch.dir, 'sweep.json'), 'utf8')).toBe(`${JSON.stringify(RECORD, null, 2)}\n`);
    expect(await readSweepRecord(scratch.dir)).toEqual(RECORD);
  });

  it('adds a train_loss column when the rows carry the training-set loss', async () => {
    const rows = RECORD.rows.map((row, i) => ({ ...row, train_loss: 2 - i / 4 }));
    await writeSweepOutput(scratch.dir, { ...RECORD, rows });
    expect(await readFile(join(scratch.dir, 'sweep.csv'), 'utf8')).toBe('x,test_loss,test_error,train_loss\n0,2.1,0.7729,2\n0.5,1.9,0.35660000000000003,1.75\n1,1.5,0.3,1.5\n');
    expect((await readSweepRecord(scratch.dir)).rows).toEqual(rows);
  });

  it.each([
    [{ iteration: 'first' }, 'iteration is "first", expected a non-negative integer'],
    [{ rows: 'nope' }, 'rows is "nope", expected an array'],
    [{ rows: [{ x: 0, test_loss: null, test_error: 0 }] }, 'rows[0].test_loss is null, expected a number'],
    [{ points: 0 }, 'points is 0, expected a positive integer'],
    [{ points: 4 }, 'rows has 3 rows, but points is 4'],
    [{ bn_mode: undefined }, 'bn_mode is missing, expected a string'],
    [{ seed: undefined }, 'seed is missing, expected a number'],
  ])('names the wrong field of %j', async (change, problem) => {
    await writeFile(join(scratch.dir, 'sweep.json'), JSON.stringify({ ...RECORD, ...change }));
    const error = await artifactFailure(readSweepRecord(scratch.dir));
    expect(error.reason).toBe('corrupt-input');
    expect(error.message).toContain(`${join(scratch.dir, 'sweep.json')}: expected { setting, seed, iteration, final_iteration, rows`);
    expect(error.message).toContain(`(${problem})`);
  });
});
